const objectScan = require("object-scan").default; exports.check = () => { const h = { a: { b: { c: "d" }, e: { f: "g" } }, k: [{ x: 1 }] }; return [objectScan(["a.*.f"], { joined: true })(h), objectScan(["**.x"], { joined: true, rtn: "value" })(h)]; };
exports.expected = () => ([["a.e.f"],[1]]);
