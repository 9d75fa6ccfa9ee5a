const L = require("lz-string"); exports.check = () => { const c = L.compressToBase64("hello hello hello world"); return [c, L.decompressFromBase64(c), L.compressToEncodedURIComponent("a=b&c")]; };
exports.expected = () => (["BYUwNmD2AEoTcrQO6QE5gCZA","hello hello hello world","IYXgRgZAxkA"]);
