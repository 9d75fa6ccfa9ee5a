const { stripHtml } = require("string-strip-html"); exports.check = () => [stripHtml("Some text <b>and</b> text.").result, stripHtml("<p>a</p><p>b</p>").result];
exports.expected = () => (["Some text and text.","a b"]);
