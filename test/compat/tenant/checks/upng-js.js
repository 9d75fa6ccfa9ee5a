const UPNG = require("upng-js"); exports.check = () => { const rgba = new Uint8Array(4 * 4 * 4).fill(128); const png = UPNG.encode([rgba.buffer], 4, 4, 0); const img = UPNG.decode(png); return [img.width, img.height, Buffer.from(png).slice(1, 4).toString()]; };
exports.expected = () => ([4,4,"PNG"]);
