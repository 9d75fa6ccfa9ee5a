const { XMLParser, XMLBuilder } = require("fast-xml-parser");
exports.check = () => {
  const parsed = new XMLParser({ ignoreAttributes: false }).parse('<a x="1"><b>hi</b><b>yo</b></a>');
  return [parsed.a["@_x"], parsed.a.b, new XMLBuilder().build({ c: { d: 1 } })];
};
exports.expected = () => (["1", ["hi", "yo"], "<c><d>1</d></c>"]);
