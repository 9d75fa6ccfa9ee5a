const h = require("object-hash"); exports.check = () => [h({ a: 1, b: [1, 2] }), h({ b: [1, 2], a: 1 }, { algorithm: "md5" }), h.sha1("x")];
exports.expected = () => (["4c4db6adeb3fc7321913a00ad738dba131900ad0","95e6230e8f04e67d44481a220d9a7370","7d2e6e807bd49a20ad5cd678597d7f7ed2b03e40"]);
