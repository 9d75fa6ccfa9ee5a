const validator = require("validator");
exports.check = () => [validator.isEmail("a@b.co"), validator.isEmail("nope"), validator.isUUID("9342d47a-1bab-5709-9869-c840b2eac501"), validator.escape("<a>")];
exports.expected = () => ([true, false, true, "&lt;a&gt;"]);
