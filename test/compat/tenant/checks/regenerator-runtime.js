const regeneratorRuntime = require("regenerator-runtime"); exports.check = () => { const gen = regeneratorRuntime.mark(function g() { return regeneratorRuntime.wrap(function (ctx) { while (1) switch (ctx.prev = ctx.next) { case 0: ctx.next = 2; return 1; case 2: ctx.next = 4; return 2; case 4: case "end": return ctx.stop(); } }, g); }); return [...gen()]; };
exports.expected = () => ([1,2]);
