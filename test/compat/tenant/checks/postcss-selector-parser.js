const psp = require("postcss-selector-parser"); exports.check = () => psp((root) => { root.walkClasses((c) => { c.value = "p-" + c.value; }); }).processSync("h1.a, .b > .c:hover");
exports.expected = () => ("h1.p-a, .p-b > .p-c:hover");
