const QRCode = require("qrcode");
const zlib = require("zlib");
// The deflate stream may differ from Node's zlib (pako), the image may not: its IDAT data is inflated and measured.
function pixels(png) {
  const idat = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  let zeros = 0;
  for (const byte of raw) if (byte === 0) zeros++;
  return [png.readUInt32BE(16), png.readUInt32BE(20), raw.length, zeros];
}
exports.check = async () => {
  const svg = await QRCode.toString("https://example.com", { type: "svg" });
  const buffer = await QRCode.toBuffer("tenantbox");
  const url = await QRCode.toDataURL("tenantbox");
  return [svg.slice(0, 40), svg.length, QRCode.create("hello").modules.size, buffer.subarray(1, 4).toString(), ...pixels(buffer), url.slice(0, 22)];
};
// The PNG encoder (pngjs) is a legacy stream: `Stream.call(this)` with require("stream") as Node has it.
exports.expected = () => ['<svg xmlns="http://www.w3.org/2000/svg" ', 1202, 21, "PNG", 116, 116, 53940, 53307, "data:image/png;base64,"];
