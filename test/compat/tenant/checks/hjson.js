const H = require("hjson"); exports.check = () => [H.parse("{a: 1, b: hello world\n// c\nc: '''\n  multi\n  line\n  '''\n}"), H.stringify({ a: [1, 2], s: "x y" })];
exports.expected = () => ([{"a":1,"b":"hello world","c":"multi\nline"},"{\n  a:\n  [\n    1\n    2\n  ]\n  s: x y\n}"]);
