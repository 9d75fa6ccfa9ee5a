const tc = require("tinycolor2"); exports.check = () => [tc("red").darken(10).toHexString(), tc.mix("#000", "#fff", 50).toRgbString(), tc.readability("#000", "#fff"), tc("hsl(120, 50%, 50%)").toHex8String(), tc("#abc").isLight()];
exports.expected = () => (["#cc0000","rgb(128, 128, 128)",21,"#40bf40ff",true]);
