const ndjson = require("ndjson"); const { Readable } = require("stream"); exports.check = () => new Promise((res) => { const out = []; Readable.from(['{"a":1}\n{"a"', ':2}\n']).pipe(ndjson.parse()).on("data", (d) => out.push(d)).on("end", () => res(out)); });
exports.expected = () => ([{"a":1},{"a":2}]);
