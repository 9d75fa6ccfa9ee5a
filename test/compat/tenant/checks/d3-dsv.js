const d3 = require("d3-dsv"); exports.check = () => { const rows = d3.csvParse("a,b\n1,x\n2,\"y,z\""); return [rows, rows.columns, d3.csvFormat([{ q: 1, r: "a,b" }]), d3.tsvParseRows("1\t2\n3\t4")]; };
exports.expected = () => ([[{"a":"1","b":"x"},{"a":"2","b":"y,z"}],["a","b"],"q,r\n1,\"a,b\"",[["1","2"],["3","4"]]]);
