const multibase = require("multibase"); exports.check = () => { const e = multibase.encode("base58btc", new TextEncoder().encode("hey")); return [new TextDecoder().decode(e), new TextDecoder().decode(multibase.decode(e)), multibase.isEncoded(e)]; };
exports.expected = () => (["zc4oi","hey","base58btc"]);
