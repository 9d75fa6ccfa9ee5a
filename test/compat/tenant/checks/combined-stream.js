const CombinedStream = require("combined-stream"); const { Readable } = require("stream"); exports.check = () => new Promise((res) => { const c = CombinedStream.create(); c.append("head-"); c.append(Readable.from(["body"])); let s = ""; c.on("data", (d) => { s += d; }); c.on("end", () => res(s)); c.resume(); });
exports.expected = () => ("head-body");
