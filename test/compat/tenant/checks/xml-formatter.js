const format = require("xml-formatter"); exports.check = () => (format.default ?? format)("<root><content><p>This is <b>some</b> content.</p></content></root>", { indentation: "  ", collapseContent: true, lineSeparator: "\n" });
exports.expected = () => ("<root>\n  <content>\n    <p>This is <b>some</b> content.</p>\n  </content>\n</root>");
