const b = require("base64-js"); exports.check = () => [b.fromByteArray(new Uint8Array([1, 2, 250])), Array.from(b.toByteArray("AQL6")), b.byteLength("AQL6")];
exports.expected = () => (["AQL6",[1,2,250],3]);
