const jp = require("jsonpointer"); exports.check = () => { const o = { a: { b: [1, 2] } }; jp.set(o, "/a/c", 3); return [jp.get(o, "/a/b/1"), o]; };
exports.expected = () => ([2,{"a":{"b":[1,2],"c":3}}]);
