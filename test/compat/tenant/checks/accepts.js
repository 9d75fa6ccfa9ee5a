const accepts = require("accepts"); exports.check = () => { const a = accepts({ headers: { accept: "text/html, application/json;q=0.9", "accept-language": "en;q=0.8, de", "accept-encoding": "gzip" } }); return [a.type(["json", "html"]), a.languages(), a.encoding(["gzip", "br"])]; };
exports.expected = () => (["html",["de","en"],"gzip"]);
