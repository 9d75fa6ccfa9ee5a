// querystring-es3, with Node's escape and unescape: its own stringify and parse keep their encoders.
// unescape as Node's: decodeURIComponent, and where that throws (a stray %), the %XX bytes decoded as UTF-8.
const qs = require("querystring-es3");
const { Buffer } = require("buffer");

const hex = (c) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

function unescapeBuffer(s) {
  const bytes = Buffer.from(s, "utf8");
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hi = bytes[i] === 37 && i + 2 < bytes.length ? hex(bytes[i + 1]) : -1;
    const lo = hi >= 0 ? hex(bytes[i + 2]) : -1;
    if (lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else out[n++] = bytes[i];
  }
  return out.subarray(0, n);
}

module.exports = Object.assign({}, qs, {
  escape: (str) => encodeURIComponent(str),
  unescape: (str) => {
    try {
      return decodeURIComponent(str);
    } catch {
      return unescapeBuffer(String(str)).toString("utf8");
    }
  },
  unescapeBuffer,
});
