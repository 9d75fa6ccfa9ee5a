const yaml = require("js-yaml");
exports.check = () => [yaml.load("a: 1\nb: [x, y]\n"), yaml.dump({ c: true })];
exports.expected = () => ([{ a: 1, b: ["x", "y"] }, "c: true\n"]);
