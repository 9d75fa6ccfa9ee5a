const XXH = require("xxhashjs"); exports.check = () => [XXH.h32("abcd", 0xABCD).toString(16), XXH.h64("abcd", 0xABCD).toString(16)];
exports.expected = () => (["cda8fae4","e29f70f8b8c96df7"]);
