const tinygradient = require("tinygradient").default; exports.check = () => { const g = tinygradient(["#ff0000", "#0000ff"]); return [g.rgb(3).map((c) => c.toHexString()), g.css()]; };
exports.expected = () => ([["#ff0000","#800080","#0000ff"],"linear-gradient(to right, rgb(255, 0, 0) 0%, rgb(0, 0, 255) 100%)"]);
