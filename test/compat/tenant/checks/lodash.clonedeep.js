const cd = require("lodash.clonedeep"); exports.check = () => { const o = { a: [1, { b: new Date(0) }], m: new Map([[1, 2]]) }; const c = cd(o); return [c !== o, c.a[1] !== o.a[1], c.a[1].b.getTime(), [...c.m]]; };
exports.expected = () => ([true,true,0,[[1,2]]]);
