const punycode = require("punycode.js"); exports.check = () => [punycode.toASCII("mañana.com"), punycode.toUnicode("xn--ls8h.la"), punycode.ucs2.decode("☃")];
exports.expected = () => (["xn--maana-pta.com","💩.la",[9731]]);
