const jpeg = require("jpeg-js"); exports.check = () => { const w = 8, h = 8; const data = Buffer.alloc(w * h * 4, 200); const enc = jpeg.encode({ data, width: w, height: h }, 90); const dec = jpeg.decode(enc.data, { useTArray: true }); return [dec.width, dec.height, enc.data.slice(0, 2).toString("hex")]; };
exports.expected = () => ([8,8,"ffd8"]);
