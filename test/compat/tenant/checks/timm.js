const timm = require("timm"); exports.check = () => { const o = { a: 1, b: { c: [1, 2] } }; return [timm.setIn(o, ["b", "c", 0], 9), timm.merge(o, { d: 4 }), timm.addLast([1], 2), o.b.c[0]]; };
exports.expected = () => ([{"a":1,"b":{"c":[9,2]}},{"a":1,"b":{"c":[1,2]},"d":4},[1,2],1]);
