const Table = require("cli-table3"); exports.check = () => { const t = new Table({ head: ["a", "b"], style: { head: [], border: [] } }); t.push([1, "two"], ["three", 4]); return t.toString(); };
exports.expected = () => ("┌───────┬─────┐\n│ a     │ b   │\n├───────┼─────┤\n│ 1     │ two │\n├───────┼─────┤\n│ three │ 4   │\n└───────┴─────┘");
