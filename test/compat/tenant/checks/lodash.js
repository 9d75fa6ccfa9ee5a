const _ = require("lodash");
exports.check = () => [_.chunk([1, 2, 3], 2), _.get({ a: { b: [5] } }, "a.b[0]"), _.template("hi <%= who %>")({ who: "you" }), _.debounce(() => 1, 10).cancel === undefined];
exports.expected = () => ([[[1, 2], [3]], 5, "hi you", false]);
