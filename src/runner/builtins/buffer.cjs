// The maintained pure-JS Buffer (feross/buffer); its Uint8Arrays are charged like any ArrayBuffer.
// Node's "base64url" encoding (JWTs, webhook signatures) is added here: feross/buffer 6 lacks it. Its
// base64 decoder already reads the URL alphabet, so only encoding needs the URL alphabet without padding.
const mod = require("buffer/");
const { Buffer } = mod;

const isUrl = (encoding) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
// No regular expression: a tenant's RegExp.$1 stays its own, as with Node's native encoder.
function toUrl(base64) {
  let end = base64.length;
  while (end > 0 && base64.charCodeAt(end - 1) === 61) end--;
  return base64.slice(0, end).split("+").join("-").split("/").join("_");
}

const from = Buffer.from;
Buffer.from = function (value, encodingOrOffset, length) {
  return from.call(this, value, isUrl(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};
const byteLength = Buffer.byteLength;
Buffer.byteLength = function (string, encoding) {
  return byteLength.call(this, string, isUrl(encoding) ? "base64" : encoding);
};
const isEncoding = Buffer.isEncoding;
Buffer.isEncoding = function (encoding) {
  return isUrl(encoding) || isEncoding.call(this, encoding);
};
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (encoding, start, end) {
  if (isUrl(encoding)) return toUrl(toString.call(this, "base64", start, end));
  return toString.apply(this, arguments);
};
// feross/buffer made toLocaleString the same function as toString before this wrapper: it is again.
Buffer.prototype.toLocaleString = Buffer.prototype.toString;
const write = Buffer.prototype.write;
Buffer.prototype.write = function (string, offset, length, encoding) {
  const args = Array.prototype.slice.call(arguments);
  for (let i = 1; i < args.length; i++) if (isUrl(args[i])) args[i] = "base64";
  return write.apply(this, args);
};

// What Node's buffer module has beside Buffer: Blob and File (the realm's globals), atob and btoa. Blob and
// File are built when first read: every call that touches Buffer builds this module, few use a Blob.
for (const name of ["Blob", "File"]) {
  Object.defineProperty(mod, name, {
    enumerable: true,
    configurable: true,
    get() {
      return require("node:internal/blob")[name];
    },
  });
}
mod.atob = globalThis.atob;
mod.btoa = globalThis.btoa;

module.exports = mod;
