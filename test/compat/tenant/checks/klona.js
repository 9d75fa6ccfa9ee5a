const { klona } = require("klona"); exports.check = () => { const o = { a: [1, { b: new Date(7) }], r: /x/g, s: new Set([1]) }; const c = klona(o); return [c.a[1].b.getTime(), c.a[1] !== o.a[1], String(c.r), [...c.s]]; };
exports.expected = () => ([7,true,"/x/g",[1]]);
