const bs58 = require("bs58").default;
exports.check = () => { const e = bs58.encode(Buffer.from("003c176e659bea0f29a3e9bf7880c112b1b31b4dc826268187", "hex")); return [e, Buffer.from(bs58.decode(e)).toString("hex")]; };
exports.expected = () => (["16UjcYNBG9GTK4uq2f7yYEbuifqCzoLMGS","003c176e659bea0f29a3e9bf7880c112b1b31b4dc826268187"]);
