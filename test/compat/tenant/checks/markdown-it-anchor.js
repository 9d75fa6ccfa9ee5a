const md = require("markdown-it")().use(require("markdown-it-anchor").default ?? require("markdown-it-anchor")); exports.check = () => md.render("# Hello World\n\n## Sub heading");
exports.expected = () => ("<h1 id=\"hello-world\" tabindex=\"-1\">Hello World</h1>\n<h2 id=\"sub-heading\" tabindex=\"-1\">Sub heading</h2>\n");
