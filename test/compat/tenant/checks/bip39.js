const bip39 = require("bip39");
exports.check = () => { const m = bip39.entropyToMnemonic("00000000000000000000000000000000"); return [m, bip39.validateMnemonic(m), bip39.mnemonicToSeedSync(m).toString("hex").slice(0, 32)]; };
exports.expected = () => (["abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",true,"5eb00bbddcf069084889a8ab91555681"]);
