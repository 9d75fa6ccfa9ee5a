const base64url = require("base64url"); exports.check = () => { const b = base64url.default ?? base64url; return [b("ñaña?>"), b.decode("w7Fhw7FhPz4"), b.fromBase64("a+b/c="), b.toBase64("a-b_c")]; };
exports.expected = () => (["w7Fhw7FhPz4","ñaña?>","a-b_c","a+b/c==="]);
