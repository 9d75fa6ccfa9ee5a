const { NodeRSA } = require("node-rsa");
exports.check = () => { const key = new NodeRSA({ b: 512 }); const sig = key.sign("hello", "base64"); return [key.verify("hello", sig, "utf8", "base64"), key.exportKey("public").startsWith("-----BEGIN PUBLIC KEY-----")]; };
exports.expected = () => ([true,true]);
