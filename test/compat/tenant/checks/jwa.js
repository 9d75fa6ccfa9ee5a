const jwa = require("jwa"); exports.check = () => { const h = jwa("HS256"); const s = h.sign("input", "secret"); return [s, h.verify("input", s, "secret"), h.verify("input2", s, "secret")]; };
exports.expected = () => (["jYmF0Et6vTLLqjd5o9qgGeDSaaIq7BWvjnKW9wLMaMY",true,false]);
