const BN = require("bn.js"); exports.check = () => [new BN("ff", 16).mul(new BN(1000)).toString(10), new BN(7).toArrayLike(Buffer, "be", 4).toString("hex"), new BN(2).pow(new BN(80)).toString(36)];
exports.expected = () => (["255000","00000007","5gv2rma270x9hhj4"]);
