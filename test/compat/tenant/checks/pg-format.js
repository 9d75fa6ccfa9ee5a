// pg-format reads its reserved words with require(__dirname + '/reserved.js').
const format = require("pg-format");
exports.check = () => [format("INSERT INTO %I VALUES %L", "my table", [[1, "a'b"], [2, null]]), format("SELECT %I FROM %I", "select", "users"), format.literal("it's")];
exports.expected = () => ["INSERT INTO \"my table\" VALUES ('1', 'a''b'), ('2', NULL)", "SELECT \"select\" FROM users", "'it''s'"];
