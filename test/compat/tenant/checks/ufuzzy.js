const uFuzzy = require("ufuzzy"); exports.check = () => { const u = new uFuzzy(); const hay = ["cat house", "dog cathedral", "mouse", "catalog"]; const [idxs, info, order] = u.search(hay, "cat"); return order.map((i) => hay[info.idx[i]]); };
exports.expected = () => (["cat house","catalog","dog cathedral"]);
