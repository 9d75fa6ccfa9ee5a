// crc32-stream's DeflateCRC32Stream extends zlib.DeflateRaw (archiver, zip-stream and exceljs write zips through it).
const { CRC32Stream, DeflateCRC32Stream } = require("crc32-stream");
const zlib = require("zlib");
const drain = (s) => new Promise((resolve, reject) => { const parts = []; s.on("data", (c) => parts.push(c)); s.on("end", () => resolve(Buffer.concat(parts))); s.on("error", reject); });
exports.check = async () => {
  const deflating = new DeflateCRC32Stream();
  const packed = drain(deflating);
  deflating.write(Buffer.from("hello "));
  deflating.end(Buffer.from("world"));
  const plain = new CRC32Stream();
  const passed = drain(plain);
  plain.end("abc");
  return [zlib.inflateRawSync(await packed).toString(), deflating.hex(), deflating.size(), deflating.size(true) > 0, (await passed).toString(), plain.hex()];
};
exports.expected = () => (["hello world","0D4A1185",11,true,"abc","352441C2"]);
