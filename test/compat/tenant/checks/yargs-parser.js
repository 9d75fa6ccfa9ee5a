const p = require("yargs-parser"); exports.check = () => [p("--a=1 -bc --no-d x --e.f 2"), p(["--n", "3", "--list", "a", "--list", "b"], { array: ["list"], number: ["n"] })];
exports.expected = () => ([{"_":["x"],"a":1,"b":true,"c":true,"d":false,"e":{"f":2}},{"_":[],"n":3,"list":["a","b"]}]);
