const ss = require("string-similarity");
exports.check = () => { const m = ss.findBestMatch("healed", ["edward", "sealed", "theatre"]); return [ss.compareTwoStrings("healed", "sealed"), m.bestMatch.target, m.bestMatchIndex]; };
exports.expected = () => ([0.8,"sealed",1]);
