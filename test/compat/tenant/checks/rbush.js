const RBush = require("rbush"); exports.check = () => { const R = RBush.default ?? RBush; const t = new R(); t.load([{ minX: 0, minY: 0, maxX: 1, maxY: 1, id: "a" }, { minX: 5, minY: 5, maxX: 6, maxY: 6, id: "b" }]); return [t.search({ minX: 0.5, minY: 0.5, maxX: 2, maxY: 2 }).map((x) => x.id), t.collides({ minX: 10, minY: 10, maxX: 11, maxY: 11 })]; };
exports.expected = () => ([["a"],false]);
