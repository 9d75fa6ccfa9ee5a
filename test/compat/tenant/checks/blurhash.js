const { encode, decode, isBlurhashValid } = require("blurhash"); exports.check = () => { const px = new Uint8ClampedArray(4 * 4 * 4).map((_, i) => (i * 7) % 256); const h = encode(px, 4, 4, 3, 3); return [h, decode(h, 2, 2).length, isBlurhashValid(h).result]; };
exports.expected = () => (["KPF~8d}]x]-;ayWA0e0d9E",16,true]);
