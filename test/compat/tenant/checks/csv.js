const { parse, stringify, transform } = require("csv/sync"); exports.check = () => { const rows = parse("a,b\n1,2\n3,4\n", { columns: true }); return [rows, stringify(rows, { header: true })]; };
exports.expected = () => ([[{"a":"1","b":"2"},{"a":"3","b":"4"}],"a,b\n1,2\n3,4\n"]);
