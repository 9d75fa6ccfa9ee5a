const xpath = require("xpath"); const { DOMParser } = require("xmldom"); exports.check = () => { const doc = new DOMParser().parseFromString("<book><title>Harry</title><p n='1'/><p n='2'/></book>", "text/xml"); return [xpath.select("string(//title)", doc), xpath.select("//p/@n", doc).map((a) => a.value), xpath.select1("count(//p)", doc)]; };
exports.expected = () => (["Harry",["1","2"],2]);
