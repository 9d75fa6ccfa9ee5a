const FormulaParser = require("fast-formula-parser"); exports.check = () => { const FP = FormulaParser.default ?? FormulaParser; const p = new FP({ onCell: ({ row, col }) => row * 10 + col }); return [p.parse("SUM(A1:B2)"), p.parse("CONCATENATE(\"a\",\"b\")"), p.parse("AVERAGE(1,2,3)")]; };
exports.expected = () => ([0,"ab",2]);
