const Negotiator = require("negotiator"); exports.check = () => { const n = new Negotiator({ headers: { accept: "text/*, application/json;q=0.5", "accept-language": "fr, en;q=0.8" } }); return [n.mediaTypes(), n.mediaType(["application/json", "text/plain"]), n.languages()]; };
exports.expected = () => ([["text/*","application/json"],"text/plain",["fr","en"]]);
