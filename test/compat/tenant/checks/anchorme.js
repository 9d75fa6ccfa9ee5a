const anchorme = require("anchorme"); exports.check = () => { const a = anchorme.default ?? anchorme; return [a("visit example.com now"), a.list("a@b.co http://x.io/p?q=1").map((x) => x.string)]; };
exports.expected = () => (["visit <a href=\"http://example.com\">example.com</a> now",["a@b.co","http://x.io/p?q=1"]]);
