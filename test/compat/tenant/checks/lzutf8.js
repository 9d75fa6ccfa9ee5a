const LZUTF8 = require("lzutf8"); exports.check = () => { const c = LZUTF8.compress("hello hello hello hello", { outputEncoding: "Base64" }); return [c, LZUTF8.decompress(c, { inputEncoding: "Base64" })]; };
exports.expected = () => (["aGVsbG8g0QY=","hello hello hello hello"]);
