const matter = require("gray-matter");
exports.check = () => { const f = matter("---\ntitle: Home\ncount: 3\n---\nContent here\n"); return [f.data, f.content, matter.stringify("Body", { a: 1 })]; };
exports.expected = () => ([{"title":"Home","count":3},"Content here\n","---\na: 1\n---\nBody\n"]);
