const getStream = require("get-stream"); const { Readable } = require("stream"); exports.check = async () => [await getStream(Readable.from(["ab", "cd"])), (await getStream.buffer(Readable.from([Buffer.from("xy")]))).toString("hex"), await getStream.array(Readable.from([1, 2], { objectMode: true }))];
exports.expected = () => (["abcd","7879",[1,2]]);
