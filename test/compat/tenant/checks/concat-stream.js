const concat = require("concat-stream"); const { Readable } = require("stream");
exports.check = () => new Promise((res) => Readable.from([Buffer.from("ab"), Buffer.from("cd")]).pipe(concat((b) => res([Buffer.isBuffer(b), b.toString()]))));
exports.expected = () => ([true,"abcd"]);
