const traverse = require("traverse");
exports.check = () => { const obj = { a: [1, 2, { b: 3 }], c: { d: 4 } }; const leaves = traverse(obj).reduce(function (acc, x) { if (this.isLeaf) acc.push(x); return acc; }, []); const mapped = traverse(obj).map(function (x) { if (typeof x === "number") this.update(x * 10); }); return { leaves, mapped, paths: traverse(obj).paths().length, clone: traverse.clone(new Uint8Array([1, 2])).length }; };
exports.expected = () => ({ leaves: [1, 2, 3, 4], mapped: { a: [10, 20, { b: 30 }], c: { d: 40 } }, paths: 8, clone: 2 });
