const { parseString } = require("fast-csv-parse"); exports.check = () => new Promise((res) => { const rows = []; parseString("h1,h2\na,b\nc,d", { headers: true }).on("data", (r) => rows.push(r)).on("end", (n) => res([rows, n])); });
exports.expected = () => ([[{"h1":"a","h2":"b"},{"h1":"c","h2":"d"}],2]);
