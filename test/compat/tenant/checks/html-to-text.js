const { convert } = require("html-to-text"); exports.check = () => convert("<h1>Title</h1><p>Hello <a href='http://x.y'>link</a></p><ul><li>a</li><li>b</li></ul><table><tr><td>1</td><td>2</td></tr></table>", { wordwrap: 40 });
exports.expected = () => ("TITLE\n\nHello link [http://x.y]\n\n * a\n * b\n\n12");
