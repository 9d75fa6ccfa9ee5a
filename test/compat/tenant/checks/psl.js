const psl = require("psl"); exports.check = () => { const p = psl.parse("www.bbc.co.uk"); return [p.tld, p.sld, p.domain, p.subdomain, psl.get("a.b.github.io"), psl.isValid("x.nonexistent-tld-zz")]; };
exports.expected = () => (["co.uk","bbc","bbc.co.uk","www","b.github.io",false]);
