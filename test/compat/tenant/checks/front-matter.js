const fm = require("front-matter"); exports.check = () => { const r = fm("---\ntitle: Hi\ntags: [a, b]\n---\nBody text"); return [r.attributes, r.body, r.frontmatter]; };
exports.expected = () => ([{"title":"Hi","tags":["a","b"]},"Body text","title: Hi\ntags: [a, b]"]);
