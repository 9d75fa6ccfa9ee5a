const mm = require("micromatch"); exports.check = () => [mm(["a.js", "b.ts", "c/d.js", ".e.js"], "**/*.js"), mm.isMatch("src/x/y.ts", "src/**/*.{js,ts}"), mm.not(["a", "b"], "a"), mm.braces("a{1..3}"), mm.makeRe("*.md").source];
exports.expected = () => ([["a.js","c/d.js"],true,["b"],["a([1-3])"],"^(?:(?!\\.)(?=.)[^/]*?\\.md\\/?)$"]);
