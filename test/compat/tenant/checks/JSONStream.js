const JSONStream = require("JSONStream"); const { Readable } = require("stream"); exports.check = () => new Promise((res) => { const out = []; Readable.from(['{"rows":[{"id":1},', '{"id":2}]}']).pipe(JSONStream.parse("rows.*")).on("data", (d) => out.push(d)).on("end", () => res(out)); });
exports.expected = () => ([{"id":1},{"id":2}]);
