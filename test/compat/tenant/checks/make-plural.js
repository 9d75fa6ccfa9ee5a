const { en, ar, ru } = require("make-plural"); exports.check = () => [en(1), en(2), en(1, true), en(2, true), ar(3), ru(5)];
exports.expected = () => (["one","other","one","two","few","many"]);
