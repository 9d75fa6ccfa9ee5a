const sb = require("stream-buffers"); exports.check = () => new Promise((res) => { const w = new sb.WritableStreamBuffer(); w.write("hello "); w.end("world", () => res(w.getContentsAsString("utf8"))); });
exports.expected = () => ("hello world");
