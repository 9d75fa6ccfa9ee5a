const v = require("badrap-valita"); exports.check = () => { const s = v.object({ name: v.string(), n: v.number().optional() }); const r = s.try({ name: 1 }); return [s.parse({ name: "a", n: 2 }), r.ok, r.ok ? null : r.issues.map((i) => i.code)]; };
exports.expected = () => ([{"name":"a","n":2},false,["invalid_type"]]);
