const g = globalThis;
exports.setTimeout = function setTimeout(delay, value) {
  return new Promise(function (resolve) {
    g.setTimeout(resolve, delay, value);
  });
};
exports.setImmediate = function setImmediate(value) {
  return new Promise(function (resolve) {
    g.setImmediate(resolve, value);
  });
};
