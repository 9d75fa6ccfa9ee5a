const slug = require("slug").default; exports.check = () => [slug("i love unicode ♥"), slug("Привет мир"), slug("hello world", "_"), slug("Éclair au café")];
exports.expected = () => (["i-love-unicode","privet-mir","hello_world","eclair-au-cafe"]);
