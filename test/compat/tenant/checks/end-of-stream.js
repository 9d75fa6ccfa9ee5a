const eos = require("end-of-stream"); const { PassThrough } = require("stream"); exports.check = () => new Promise((res) => { const s = new PassThrough(); eos(s, (err) => res(err ? err.message : "ended")); s.resume(); s.end("x"); });
exports.expected = () => ("ended");
