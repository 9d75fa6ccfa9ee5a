const Papa = require("papaparse");
exports.check = () => [Papa.parse("a,b\n1,2\n3,4", { header: true, dynamicTyping: true }).data, Papa.unparse([{ x: 1, y: "q,r" }])];
exports.expected = () => ([[{ a: 1, b: 2 }, { a: 3, b: 4 }], 'x,y\r\n1,"q,r"']);
