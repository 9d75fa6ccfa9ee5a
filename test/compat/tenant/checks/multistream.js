const MultiStream = require("multistream"); const { Readable } = require("stream"); exports.check = () => new Promise((res) => { let s = ""; new MultiStream([Readable.from(["a", "b"]), Readable.from(["c"])]).on("data", (c) => { s += c; }).on("end", () => res(s)); });
exports.expected = () => ("abc");
