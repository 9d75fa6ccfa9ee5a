const hljs = require("highlight.js");
exports.check = () => [hljs.highlight("const x = 1;", { language: "javascript" }).value, hljs.highlightAuto("SELECT * FROM t WHERE id = 1").language];
exports.expected = () => (["<span class=\"hljs-keyword\">const</span> x = <span class=\"hljs-number\">1</span>;","n1ql"]);
