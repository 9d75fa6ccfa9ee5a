const dotenv = require("dotenv");
exports.check = () => dotenv.parse(Buffer.from("A=1\nB='two words'\n# c\nC=\"multi\\nline\"\nexport D=4\n"));
exports.expected = () => ({"A":"1","B":"two words","C":"multi\nline","D":"4"});
