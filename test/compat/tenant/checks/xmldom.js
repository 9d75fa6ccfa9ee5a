const { DOMParser, XMLSerializer } = require("xmldom");
exports.check = () => { const doc = new DOMParser().parseFromString('<books><book id="1"><title>A</title></book><book id="2"><title>B</title></book></books>', "text/xml"); doc.documentElement.setAttribute("n", "2"); return [new XMLSerializer().serializeToString(doc), doc.getElementsByTagName("title").length]; };
exports.expected = () => (["<books n=\"2\"><book id=\"1\"><title>A</title></book><book id=\"2\"><title>B</title></book></books>",2]);
