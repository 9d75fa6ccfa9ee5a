const GetIntrinsic = require("get-intrinsic"); exports.check = () => [typeof GetIntrinsic("%Array.prototype.push%"), GetIntrinsic("%Math.max%")(1, 3), typeof GetIntrinsic("%AsyncFunction%", true)];
exports.expected = () => (["function",3,"function"]);
