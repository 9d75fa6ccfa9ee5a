const es = require("event-stream"); exports.check = () => new Promise((res) => { es.readArray([1, 2, 3]).pipe(es.map((d, cb) => cb(null, d * 10))).pipe(es.writeArray((err, arr) => res(arr))); });
exports.expected = () => ([10,20,30]);
