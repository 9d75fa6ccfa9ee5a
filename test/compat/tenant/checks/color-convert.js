const convert = require("color-convert").default; exports.check = () => [convert.rgb.hsl(140, 200, 100), convert.keyword.rgb("blue"), convert.hex.lab("DEADBF"), convert.rgb.cmyk.raw(167, 255, 4)];
exports.expected = () => ([[96,48,59],[0,0,255],[76,21,-2],[34.509803921568626,0,98.43137254901961,0]]);
