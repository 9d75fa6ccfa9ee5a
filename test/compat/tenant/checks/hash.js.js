const h = require("hash.js"); exports.check = () => [h.sha256().update("abc").digest("hex"), h.hmac(h.sha256, "key").update("msg").digest("hex"), h.ripemd160().update("x").digest("hex")];
exports.expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628","11ff33c6fb942655efb3e30cf4c0fd95f5ef483a"]);
