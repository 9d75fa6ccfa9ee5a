// core-js-pure's polyfills keep their state in WeakMaps whose methods they assign over (store.get = store.get).
const flat = require("core-js-pure/stable/array/flat");
const groupBy = require("core-js-pure/stable/object/group-by");
const SetPolyfill = require("core-js-pure/actual/set");
const structuredClonePolyfill = require("core-js-pure/stable/structured-clone");
exports.check = () => {
  const union = [...new SetPolyfill([1, 2]).union(new SetPolyfill([2, 3]))];
  const groups = groupBy([1, 2, 3, 4, 5], (n) => (n % 2 ? "odd" : "even"));
  const clone = structuredClonePolyfill({ a: [1, { b: 2 }], d: new Date(0) });
  return [flat([1, [2, [3, [4]]]], 2), union, groups.odd, groups.even, clone.a[1].b, clone.d.getTime()];
};
exports.expected = () => [[1, 2, 3, [4]], [1, 2, 3], [1, 3, 5], [2, 4], 2, 0];
