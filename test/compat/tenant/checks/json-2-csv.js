const { json2csv, csv2json } = require("json-2-csv"); exports.check = () => { const c = json2csv([{ a: 1, b: { c: 2 } }, { a: 3, b: { c: 4 } }]); return [c, csv2json(c)]; };
exports.expected = () => (["a,b.c\n1,2\n3,4",[{"a":1,"b":{"c":2}},{"a":3,"b":{"c":4}}]]);
