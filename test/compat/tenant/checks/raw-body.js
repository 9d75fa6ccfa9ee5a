const getRawBody = require("raw-body"); const { Readable } = require("stream"); exports.check = async () => (await getRawBody(Readable.from([Buffer.from("hel"), Buffer.from("lo")]), { length: 5, limit: "1kb", encoding: "utf8" }));
exports.expected = () => ("hello");
