// Node's punycode module (deprecated in Node, still required by libraries such as tr46): Node bundles
// punycode.js, and so does the realm.
module.exports = require("punycode/");
