const { micromark } = require("micromark"); exports.check = () => [micromark("# T\n\n*a* `b` [c](http://d)\n\n> q"), micromark("<b>x</b>", { allowDangerousHtml: true })];
exports.expected = () => (["<h1>T</h1>\n<p><em>a</em> <code>b</code> <a href=\"http://d\">c</a></p>\n<blockquote>\n<p>q</p>\n</blockquote>","<p><b>x</b></p>"]);
