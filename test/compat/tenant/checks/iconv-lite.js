const iconv = require("iconv-lite");
exports.check = () => [
  iconv.decode(Buffer.from([0xe9, 0x74, 0xe9]), "latin1"),
  iconv.encode("€", "win1252")[0],
  iconv.decode(iconv.encode("héllo", "utf16le"), "utf16le"),
  iconv.decode(Buffer.from([0x82, 0xa0]), "shift_jis"),
];
exports.expected = () => (["été", 0x80, "héllo", "あ"]);
