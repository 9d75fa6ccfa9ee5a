const b = require("xmlbuilder"); exports.check = () => b.create("root", { encoding: "UTF-8" }).ele("a", { x: 1 }, "t<").up().ele("b").ele("c").txt("&").end({ pretty: true });
exports.expected = () => ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root>\n  <a x=\"1\">t&lt;</a>\n  <b>\n    <c>&amp;</c>\n  </b>\n</root>");
