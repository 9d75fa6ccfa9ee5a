const rt = require("reading-time"); exports.check = () => { const f = rt.default ?? rt; return f("word ".repeat(450)); };
exports.expected = () => ({"text":"3 min read","minutes":2.25,"time":135000,"words":450});
