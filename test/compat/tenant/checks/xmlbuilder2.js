const { create, convert } = require("xmlbuilder2");
exports.check = () => {
  const xml = create({ version: "1.0" }).ele("root", { att: "val" }).ele("foo").txt("bar & baz").up().ele("n").txt("1").up().end({ prettyPrint: false });
  const obj = convert("<a><b x=\"1\">t</b><b>u</b></a>", { format: "object" });
  return [xml, obj, create("<r><c>1</c></r>").root().first().node.textContent];
};
exports.expected = () => (["<?xml version=\"1.0\"?><root att=\"val\"><foo>bar &amp; baz</foo><n>1</n></root>",{"a":{"b":[{"@x":"1","#":"t"},"u"]}},"1"]);
