const mitt = require("mitt"); exports.check = () => { const e = (mitt.default || mitt)(); const out = []; const h = (v) => out.push(["a", v]); e.on("*", (t, v) => out.push([t, v])); e.on("a", h); e.emit("a", 1); e.off("a", h); e.emit("a", 2); return out; };
exports.expected = () => ([["a",1],["a",1],["a",2]]);
