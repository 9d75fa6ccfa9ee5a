const jsesc = require("jsesc"); exports.check = () => [jsesc("Ich ♥ Bücher"), jsesc({ a: ["x", "é"] }, { json: true }), jsesc("foo 𝌆", { es6: true }), jsesc([1, 2], { compact: false })];
exports.expected = () => (["Ich \\u2665 B\\xFCcher","{\"a\":[\"x\",\"\\u00E9\"]}","foo \\u{1D306}","[\n\t1,\n\t2\n]"]);
