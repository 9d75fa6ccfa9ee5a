const { Parser } = require("json2csv-plainjs"); exports.check = () => new Parser({ fields: ["car", "price"] }).parse([{ car: "Audi", price: 40000 }, { car: "BMW", price: 35000, extra: 1 }]);
exports.expected = () => ("\"car\",\"price\"\n\"Audi\",40000\n\"BMW\",35000");
