const p = require("polished"); exports.check = () => [p.darken(0.2, "#FFCD64"), p.rgba(255, 205, 100, 0.7), p.mix(0.5, "#f00", "#00f"), p.readableColor("#000"), p.getContrast("#444", "#fff"), p.parseToHsl("#ff0000"), p.em("12px")];
exports.expected = () => (["#fdab00","rgba(255,205,100,0.7)","#7f007f","#fff",9.72,{"hue":0,"saturation":1,"lightness":0.5},"0.75em"]);
