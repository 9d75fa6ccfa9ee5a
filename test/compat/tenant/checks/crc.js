const crc = require("crc"); exports.check = () => [crc.crc32("hello").toString(16), crc.crc16ccitt("hello").toString(16), crc.crc8("hello"), crc.crc32(Buffer.from("world"), crc.crc32("hello ")).toString(16)];
exports.expected = () => (["3610a686","d26e",146,"d4a1185"]);
