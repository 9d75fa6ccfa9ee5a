// Sqids checks its alphabet with new Blob([alphabet]).size when it is constructed.
const Sqids = require("sqids").default;
exports.check = () => {
  const sqids = new Sqids({ minLength: 8 });
  const id = sqids.encode([1, 2, 3]);
  return [id.length >= 8, sqids.decode(id), new Sqids().encode([1, 2, 3])];
};
exports.expected = () => ([true, [1, 2, 3], "86Rf07"]);
