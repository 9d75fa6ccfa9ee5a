const TurndownService = require("turndown"); exports.check = () => [new TurndownService({ headingStyle: "atx" }).turndown("<h1>Hello</h1><p>A <strong>bold</strong> <a href='http://x.y'>link</a></p><ul><li>one</li></ul>")];
exports.expected = () => (["# Hello\n\nA **bold** [link](http://x.y)\n\n*   one"]);
