const MS = require("minisearch"); exports.check = () => { const m = new MS({ fields: ["t"] }); m.addAll([{ id: 1, t: "zen motorcycle" }, { id: 2, t: "art of war" }]); return [m.search("zen").map((r) => r.id), m.search("moto", { prefix: true }).map((r) => r.id), m.autoSuggest("ar").map((s) => s.suggestion)]; };
exports.expected = () => ([[1],[1],["art"]]);
