const YAML = require("yamljs"); exports.check = () => [YAML.parse("a: 1\nb:\n  - x\n  - y\n"), YAML.stringify({ a: [1, 2], b: { c: "d" } }, 4)];
exports.expected = () => ([{"a":1,"b":["x","y"]},"a:\n    - 1\n    - 2\nb:\n    c: d\n"]);
