const { sha512, sha384, sha512_256 } = require("js-sha512"); exports.check = () => [sha512("abc").slice(0, 32), sha384("abc").slice(0, 32), sha512_256("abc"), sha512.hmac("k", "m").slice(0, 32)];
exports.expected = () => (["ddaf35a193617abacc417349ae204131","cb00753f45a35e8bb5a03d699ac65007","53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23","94ec958658ae2d2e92ae742007904d43"]);
