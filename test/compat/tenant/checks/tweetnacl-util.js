const util = require("tweetnacl-util"); const nacl = require("tweetnacl"); exports.check = () => { const k = nacl.randomBytes(32); const n = new Uint8Array(24); const box = nacl.secretbox(util.decodeUTF8("hi"), n, k); return [util.encodeBase64(util.decodeUTF8("hello")), util.encodeUTF8(nacl.secretbox.open(box, n, k))]; };
exports.expected = () => (["aGVsbG8=","hi"]);
