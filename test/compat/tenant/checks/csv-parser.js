const csv = require("csv-parser"); const { Readable } = require("stream"); exports.check = () => new Promise((res, rej) => { const out = []; Readable.from(["name,age\nann,3\n", "bob,4\n"]).pipe(csv()).on("data", (r) => out.push(r)).on("end", () => res(out)).on("error", rej); });
exports.expected = () => ([{"name":"ann","age":"3"},{"name":"bob","age":"4"}]);
