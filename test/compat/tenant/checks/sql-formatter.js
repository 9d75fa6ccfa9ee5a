const { format } = require("sql-formatter");
exports.check = () => format("select a, b from t where x = 1 and y in (select z from q) order by a", { language: "postgresql", keywordCase: "upper" });
exports.expected = () => ("SELECT\n  a,\n  b\nFROM\n  t\nWHERE\n  x = 1\n  AND y IN (\n    SELECT\n      z\n    FROM\n      q\n  )\nORDER BY\n  a");
