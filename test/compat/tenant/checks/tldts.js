const { parse, getDomain, getPublicSuffix } = require("tldts");
exports.check = () => [getDomain("https://a.b.example.co.uk/x"), getPublicSuffix("foo.s3.amazonaws.com"), parse("http://192.168.0.1/").isIp];
exports.expected = () => (["example.co.uk", "com", true]);
