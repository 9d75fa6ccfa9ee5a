const { encode, decode } = require("cbor-x"); exports.check = () => { const b = encode({ a: 1, b: [1, "x", 1.5], c: new Date(0) }); const d = decode(b); return [d.a, d.b, d.c instanceof Date, d.c.getTime()]; };
exports.expected = () => ([1,[1,"x",1.5],true,0]);
