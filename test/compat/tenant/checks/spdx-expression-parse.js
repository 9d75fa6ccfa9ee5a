const parse = require("spdx-expression-parse"); exports.check = () => [parse("MIT"), parse("(MIT OR Apache-2.0) AND BSD-3-Clause")];
exports.expected = () => ([{"license":"MIT"},{"left":{"left":{"license":"MIT"},"conjunction":"or","right":{"license":"Apache-2.0"}},"conjunction":"and","right":{"license":"BSD-3-Clause"}}]);
