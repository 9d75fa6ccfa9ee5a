const FMW = require("find-my-way"); exports.check = () => { const r = FMW(); r.on("GET", "/u/:id", () => {}, { s: 1 }); r.on("GET", "/f/*", () => {}); const m = r.find("GET", "/u/5"); const w = r.find("GET", "/f/a/b"); return [m.params, m.store, w.params, r.find("POST", "/u/5")]; };
exports.expected = () => ([{"id":"5"},{"s":1},{"*":"a/b"},null]);
