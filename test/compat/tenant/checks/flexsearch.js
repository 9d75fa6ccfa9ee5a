const { Index, Document } = require("flexsearch");
exports.check = () => { const i = new Index({ tokenize: "forward" }); i.add(1, "John Doe"); i.add(2, "Jane Smith"); i.add(3, "Johnny Cash"); const d = new Document({ document: { id: "id", index: ["title"] } }); d.add({ id: 1, title: "Fast search" }); return [i.search("joh"), d.search("search")]; };
exports.expected = () => ([[1,3],[{"field":"title","result":[1]}]]);
