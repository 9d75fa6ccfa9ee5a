const { jsonpath } = require("json-p3"); exports.check = () => { const d = { store: { book: [{ t: "a", p: 5 }, { t: "b", p: 15 }] } }; return [jsonpath.query("$.store.book[?@.p > 10].t", d).values(), jsonpath.query("$..p", d).values(), jsonpath.query("$.store.book[0]", d).locations()]; };
exports.expected = () => ([["b"],[5,15],[["store","book",0]]]);
