const L = require("linkify-it"); const linkify = new (L.default || L.LinkifyIt || L)();
exports.check = () => linkify.match("Site github.com! and mail to me@example.com, or https://x.io/a?b").map((m) => [m.schema, m.url]);
exports.expected = () => ([["mailto:","mailto:me@example.com"],["https:","https://x.io/a?b"]]);
