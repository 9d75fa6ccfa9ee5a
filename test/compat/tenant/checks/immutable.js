const { Map, List } = require("immutable");
exports.check = () => {
  const a = Map({ x: 1 });
  const b = a.set("x", 2);
  return [a.get("x"), b.get("x"), List([1, 2]).push(3).toJS()];
};
exports.expected = () => ([1, 2, [1, 2, 3]]);
