const vp = require("postcss-value-parser"); exports.check = () => { const p = vp("rgba(233, 45, 66, .5) no-repeat center / contain"); const fns = []; p.walk((n) => { if (n.type === "function") fns.push(n.value); }); return [fns, p.toString(), vp.unit("12px")]; };
exports.expected = () => ([["rgba"],"rgba(233, 45, 66, .5) no-repeat center / contain",{"number":"12","unit":"px"}]);
