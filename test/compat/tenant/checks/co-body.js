const parse = require("co-body"); const { Readable } = require("stream"); exports.check = async () => { const req = Readable.from([Buffer.from('{"a":1}')]); req.headers = { "content-type": "application/json", "content-length": "7" }; return parse.json(req); };
exports.expected = () => ({"a":1});
