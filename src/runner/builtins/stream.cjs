// Node's streams, as the maintained userland copy of them (readable-stream). As in Node, the module is the
// legacy Stream constructor (an EventEmitter with pipe()) with Readable, Writable, ... as its properties:
// readable-stream's own entry is Readable, so `Stream.call(this)` (pngjs, through) started a Readable.
const Stream = require("readable-stream/lib/stream.js");
require("./stream/web-adapters.cjs")(Stream);
module.exports = Stream;
