// create-hash is Node's crypto.createHash in Node (browserify's hashes elsewhere): RIPEMD-160 by its OpenSSL alias, as bitcoin libraries ask.
const createHash = require("create-hash");
exports.check = () => [createHash("sha256").update("abc").digest("hex"), createHash("rmd160").update("abc").digest("hex"), createHash("ripemd160").update(createHash("sha256").update(Buffer.from("02", "hex")).digest()).digest("hex"), createHash("sha512").update("x").digest("base64").slice(0, 12)];
exports.expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc", "a6bb94c8792c395785787280dc188d114e1f339b", "pKvURIxJVi2C"]);
