const { v4, v5, validate } = require("uuid");
exports.check = () => [validate(v4()), v5("hello", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"), v4() !== v4()];
exports.expected = () => ([true, "9342d47a-1bab-5709-9869-c840b2eac501", true]);
