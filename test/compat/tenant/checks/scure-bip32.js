const { HDKey } = require("scure-bip32"); exports.check = () => { const k = HDKey.fromMasterSeed(new Uint8Array(32).fill(3)); const c = k.derive("m/44'/0'/0'/0/0"); return [c.publicExtendedKey.slice(0, 20), Buffer.from(c.publicKey).toString("hex")]; };
exports.expected = () => (["xpub6GHzNonYUa7eY23b","03fbc08ce747934d06d45bb7da99d2de96a3b5b53b983945e8c48c9c9563cd8226"]);
