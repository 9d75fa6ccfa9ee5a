const clone = require("rfdc")({ circles: true });
exports.check = () => { const o = { a: [1, { b: new Date(0) }], m: new Map([["k", 1]]) }; o.self = o; const c = clone(o); return [c.self === c, c.a[1].b instanceof Date, c.a !== o.a, c.m.get("k")]; };
exports.expected = () => ([true,true,true,1]);
