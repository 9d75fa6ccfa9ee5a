const sc = require("ungap-structured-clone"); exports.check = () => { const structuredClone = sc.default ?? sc; const o = { d: new Date(0), m: new Map([[1, { x: 1 }]]), s: new Set([1]), r: /x/gi }; o.self = o; const c = structuredClone(o); return [c.self === c, c.d.getTime(), [...c.m][0][1].x, [...c.s], String(c.r)]; };
exports.expected = () => ([true,0,1,[1],"/x/gi"]);
