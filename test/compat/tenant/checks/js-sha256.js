const { sha256, sha224 } = require("js-sha256");
exports.check = () => [sha256("abc"), sha224(""), sha256.hmac("key", "The quick brown fox jumps over the lazy dog")];
exports.expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f","f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"]);
