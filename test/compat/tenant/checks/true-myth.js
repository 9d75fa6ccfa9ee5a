const { Maybe, Result } = require("true-myth"); exports.check = () => [Maybe.just(1).map((x) => x + 1).unwrapOr(0), Maybe.nothing().unwrapOr(5), Result.ok(3).andThen((x) => Result.err("e" + x)).toString(), Result.ok(1).isOk];
exports.expected = () => ([2,5,"Err(\"e3\")",true]);
