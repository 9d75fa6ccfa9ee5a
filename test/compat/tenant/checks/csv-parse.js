const { parse } = require("csv-parse/sync");
exports.check = () => parse('id,name\n1,"Doe, Jane"\n2,"say ""hi"""\n', { columns: true, cast: true });
exports.expected = () => ([{ id: 1, name: "Doe, Jane" }, { id: 2, name: 'say "hi"' }]);
