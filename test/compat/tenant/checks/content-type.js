const ct = require("content-type");
exports.check = () => [ct.parse("text/html; charset=utf-8; foo=\"bar\""), ct.format({ type: "image/svg+xml", parameters: { charset: "utf-8" } })];
exports.expected = () => ([{"type":"text/html","index":35,"parameters":{"charset":"utf-8","foo":"bar"}},"image/svg+xml; charset=utf-8"]);
