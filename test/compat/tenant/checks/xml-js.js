const convert = require("xml-js");
exports.check = () => { const o = convert.xml2js('<a x="1"><b>hi</b><b>yo</b></a>', { compact: true }); return [o, convert.js2xml(o, { compact: true })]; };
exports.expected = () => ([{"a":{"_attributes":{"x":"1"},"b":[{"_text":"hi"},{"_text":"yo"}]}},"<a x=\"1\"><b>hi</b><b>yo</b></a>"]);
