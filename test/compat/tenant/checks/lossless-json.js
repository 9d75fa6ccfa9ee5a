const { parse, stringify } = require("lossless-json"); exports.check = () => { const v = parse('{"a":12345678901234567890,"b":[1.50]}'); return stringify(v); };
exports.expected = () => ("{\"a\":12345678901234567890,\"b\":[1.50]}");
