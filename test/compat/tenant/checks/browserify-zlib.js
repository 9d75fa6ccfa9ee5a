const zlib = require("browserify-zlib"); exports.check = () => { const c = zlib.deflateSync(Buffer.from("hello hello")); return [zlib.inflateSync(c).toString(), zlib.gunzipSync(zlib.gzipSync("xyz")).toString()]; };
exports.expected = () => (["hello hello","xyz"]);
