const scrypt = require("scrypt-js"); exports.check = () => Buffer.from(scrypt.syncScrypt(Buffer.from("password"), Buffer.from("salt"), 16, 1, 1, 32)).toString("hex");
exports.expected = () => ("45133c3dfba48c82235df51a5349924110eee893752f0d4168d2e2aee5722d82");
