const bytes = require("bytes"); exports.check = () => [bytes(1024), bytes(1024 * 1024 * 1.5, { decimalPlaces: 1 }), bytes("1KB"), bytes.parse("2.5mb")];
exports.expected = () => (["1KB","1.5MB",1024,2621440]);
