const split = require("split2"); const { Readable } = require("stream");
exports.check = () => new Promise((res) => { const out = []; Readable.from(["a\nb", "c\nd\n{\"x\":1}"]).pipe(split()).on("data", (l) => out.push(l)).on("end", () => res(out)); });
exports.expected = () => (["a","bc","d","{\"x\":1}"]);
