const pako = require("pako");
exports.check = () => {
  const text = "hello hello hello hello";
  const deflated = pako.deflate(new TextEncoder().encode(text));
  return [new TextDecoder().decode(pako.inflate(deflated)), new TextDecoder().decode(pako.ungzip(pako.gzip(new TextEncoder().encode("x")))), deflated.length < text.length];
};
exports.expected = () => (["hello hello hello hello", "x", true]);
