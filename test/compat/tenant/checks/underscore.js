const _ = require("underscore");
exports.check = () => [_.uniq([1, 1, 2]), _.template("<%- x %>")({ x: "<" }), _.pluck([{ a: 1 }, { a: 2 }], "a")];
exports.expected = () => ([[1, 2], "&lt;", [1, 2]]);
