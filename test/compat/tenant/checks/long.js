const Long = require("long"); exports.check = () => { const L = Long.default ?? Long; const a = L.fromString("9223372036854775807"); return [a.toString(), a.add(1).toString(), L.fromBits(0xFFFFFFFF, 0x7FFFFFFF).toString(16), L.fromNumber(-5).toUnsigned().toString()]; };
exports.expected = () => (["9223372036854775807","-9223372036854775808","7fffffffffffffff","18446744073709551611"]);
