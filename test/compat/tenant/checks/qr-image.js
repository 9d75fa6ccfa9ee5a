const qr = require("qr-image"); exports.check = () => { const svg = qr.imageSync("hello", { type: "svg" }); const png = qr.imageSync("hello", { type: "png" }); return [String(svg).slice(0, 40), png.slice(1, 4).toString(), qr.matrix("hi").length]; };
exports.expected = () => (["<svg xmlns=\"http://www.w3.org/2000/svg\" ","PNG",21]);
