const j = require("json-logic-js"); exports.check = () => [j.apply({ and: [{ ">": [{ var: "a" }, 1] }, { in: ["x", { var: "s" }] }] }, { a: 2, s: "xyz" }), j.apply({ map: [{ var: "l" }, { "*": [{ var: "" }, 2] }] }, { l: [1, 2] })];
exports.expected = () => ([true,[2,4]]);
