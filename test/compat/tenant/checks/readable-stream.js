const { Readable, Transform, pipeline, finished } = require("readable-stream");
exports.check = () => new Promise((res, rej) => { const out = []; const t = new Transform({ transform(c, e, cb) { cb(null, Buffer.from(String(c) + "!")); } }); pipeline(Readable.from([Buffer.from("a"), Buffer.from("b")]), t, (err) => err && rej(err)); t.on("data", (d) => out.push(d.toString())); finished(t, () => res(out)); });
exports.expected = () => (["a!","b!"]);
