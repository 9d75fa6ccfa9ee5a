const sax = require("sax"); exports.check = () => { const out = []; const p = sax.parser(true); p.onopentag = (n) => out.push(n.name, n.attributes); p.ontext = (t) => out.push(t); p.write('<a x="1"><b>t</b></a>').close(); return out; };
exports.expected = () => (["a",{"x":"1"},"b",{},"t"]);
