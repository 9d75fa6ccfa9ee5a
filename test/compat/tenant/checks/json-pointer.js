const pointer = require("json-pointer"); exports.check = () => { const o = { a: [{ b: 1 }] }; pointer.set(o, "/a/0/c", 2); return [pointer.get(o, "/a/0/b"), pointer.has(o, "/x"), pointer.dict({ a: { b: 1, c: [2] } }), pointer.compile(["a", "b/c"])]; };
exports.expected = () => ([1,false,{"/a/b":1,"/a/c/0":2},"/a/b~1c"]);
