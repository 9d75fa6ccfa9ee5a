const bigInt = require("big-integer");
exports.check = () => [bigInt("123456789012345678901234567890").multiply(42).toString(), bigInt(2).pow(100).toString(16), bigInt(17).modInv(3120).toString(), bigInt.gcd(48, 18).toString()];
exports.expected = () => (["5185185138518518513851851851380","10000000000000000000000000","2753","6"]);
