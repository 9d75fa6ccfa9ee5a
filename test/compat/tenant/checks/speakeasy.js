const speakeasy = require("speakeasy");
exports.check = () => { const t = speakeasy.totp({ secret: "JBSWY3DPEHPK3PXP", encoding: "base32", time: 1700000000 }); return [t, speakeasy.totp.verify({ secret: "JBSWY3DPEHPK3PXP", encoding: "base32", token: t, time: 1700000000 }), speakeasy.hotp({ secret: "x", counter: 3 })]; };
exports.expected = () => (["324550",true,"936665"]);
