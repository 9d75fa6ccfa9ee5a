const JB = require("json-bigint")({ useNativeBigInt: true }); exports.check = () => { const v = JB.parse('{"a":12345678901234567890,"b":1.5}'); return [typeof v.a, String(v.a), JB.stringify(v)]; };
exports.expected = () => (["bigint","12345678901234567890","{\"a\":12345678901234567890,\"b\":1.5}"]);
