const { parseDocument } = require("htmlparser2"); const du = require("domutils"); exports.check = () => { const d = parseDocument("<div><a href='1'>x</a><p><a href='2'>y</a></p></div>"); return [du.findAll((e) => e.name === "a", d.children).map((e) => e.attribs.href), du.textContent(d), du.getElementsByTagName("p", d).length]; };
exports.expected = () => ([["1","2"],"xy",1]);
