const lunr = require("lunr"); exports.check = () => { const idx = lunr(function () { this.ref("id"); this.field("t"); this.add({ id: "1", t: "green apples" }); this.add({ id: "2", t: "red cars" }); }); return idx.search("apple").map((r) => r.ref); };
exports.expected = () => (["1"]);
