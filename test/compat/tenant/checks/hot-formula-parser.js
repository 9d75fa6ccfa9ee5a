const { Parser } = require("hot-formula-parser"); exports.check = () => { const p = new Parser(); p.setVariable("A", 7); return [p.parse("SUM(1, 2, A) * 2"), p.parse("IF(A>5, \"big\", \"small\")"), p.parse("ROUND(PI(), 3)"), p.parse("1/0")]; };
exports.expected = () => ([{"error":null,"result":20},{"error":null,"result":"big"},{"error":null,"result":3.142},{"error":"#DIV/0!","result":null}]);
