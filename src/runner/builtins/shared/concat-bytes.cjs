// Byte arrays joined into one (Blob parts, a read body, a multipart body): bundled into each built-in that needs it.
module.exports = function concatBytes(parts) {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
