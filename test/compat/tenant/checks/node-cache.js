const NC = require("node-cache"); exports.check = () => { const c = new NC({ stdTTL: 100, checkperiod: 0 }); c.set("a", { x: 1 }); const v = c.get("a"); c.del("a"); const s = c.getStats(); c.close(); return [v, c.has("a"), s.keys]; };
exports.expected = () => ([{"x":1},false,0]);
