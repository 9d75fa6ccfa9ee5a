const utf8 = require("utf8"); exports.check = () => [utf8.encode("\xA9\u2603"), utf8.decode("\xC2\xA9")];
exports.expected = () => (["Â©â","©"]);
