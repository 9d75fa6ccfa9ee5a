const Tokens = require("csrf"); exports.check = () => { const t = new Tokens(); const secret = t.secretSync(); const token = t.create(secret); return [typeof secret, t.verify(secret, token), t.verify(secret, "bad-token")]; };
exports.expected = () => (["string",true,false]);
