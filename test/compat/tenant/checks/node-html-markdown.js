const { NodeHtmlMarkdown } = require("node-html-markdown"); exports.check = () => NodeHtmlMarkdown.translate("<h1>T</h1><p>Hello <strong>bold</strong> <a href='http://x.com'>link</a></p><ul><li>a</li><li>b</li></ul>");
exports.expected = () => ("# T\n\nHello **bold** [link](http://x.com)\n\n* a\n* b");
