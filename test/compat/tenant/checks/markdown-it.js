const md = require("markdown-it")({ linkify: true });
exports.check = () => md.render("# Title\n\n*x* [link](https://a.example) <b>raw</b>\n\n- one\n- two");
exports.expected = () => '<h1>Title</h1>\n<p><em>x</em> <a href="https://a.example">link</a> &lt;b&gt;raw&lt;/b&gt;</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n';
