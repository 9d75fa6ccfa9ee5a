const md5 = require("js-md5"); exports.check = () => [md5("hello"), md5.hex("") , md5.base64("x")];
exports.expected = () => (["5d41402abc4b2a76b9719d911017c592","d41d8cd98f00b204e9800998ecf8427e","ndTkYSaMgDT1yFZOFVxnpg=="]);
