const V = require("fastest-validator"); exports.check = () => { try { const v = new V(); const c = v.compile({ a: "number|min:3", e: "email" }); return [c({ a: 5, e: "x@y.zz" }), c({ a: 1, e: "no" }).map((e) => e.type)]; } catch (e) { return "ERR " + e.message; } };
exports.expected = () => ([true,["numberMin","email"]]);
