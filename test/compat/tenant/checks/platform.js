const platform = require("platform"); exports.check = () => { const p = platform.parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"); return [p.name, p.version, p.os.family]; };
exports.expected = () => (["Chrome","119.0.0.0","OS X"]);
