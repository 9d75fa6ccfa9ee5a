const shajs = require("sha.js"); exports.check = () => [shajs("sha256").update("42").digest("hex"), new shajs.sha1().update("x").digest("hex"), shajs("sha512").update("a").digest("base64").slice(0, 20)];
exports.expected = () => (["73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049","11f6ad8ec52a2984abaafd7c3b516503785c2072","H0D8ktokFpR1CXnubPWC"]);
