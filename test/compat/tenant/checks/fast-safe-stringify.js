const fss = require("fast-safe-stringify"); exports.check = () => { const o = { a: 1 }; o.o = o; return [fss(o), fss.stableStringify({ b: 1, a: 2 })]; };
exports.expected = () => (["{\"a\":1,\"o\":\"[Circular]\"}","{\"a\":2,\"b\":1}"]);
