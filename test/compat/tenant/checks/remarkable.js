const { Remarkable } = require("remarkable"); exports.check = () => new Remarkable().render("# T\n\n- a\n- [b](http://x)\n");
exports.expected = () => ("<h1>T</h1>\n<ul>\n<li>a</li>\n<li><a href=\"http://x\">b</a></li>\n</ul>\n");
