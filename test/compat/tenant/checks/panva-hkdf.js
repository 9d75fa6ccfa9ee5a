const hkdf = require("panva-hkdf"); exports.check = async () => Buffer.from(await (hkdf.default ?? hkdf.hkdf)("sha256", "key", "salt", "info", 32)).toString("hex");
exports.expected = () => ("9ca0d662557439e3b83365f2da4626d35da195c6d9d1779f09838cf9e408966e");
