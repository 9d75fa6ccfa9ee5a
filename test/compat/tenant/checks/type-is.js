const typeis = require("type-is"); exports.check = () => [typeis.is("application/json; charset=utf-8", ["json"]), typeis.is("text/html", ["application/*", "text/*"]), typeis({ headers: { "content-type": "image/png", "transfer-encoding": "chunked" } }, ["image/*"])];
exports.expected = () => (["json","text/html","image/png"]);
