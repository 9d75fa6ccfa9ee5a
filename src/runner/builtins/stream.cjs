// Node's streams, as the maintained userland copy of them (readable-stream, the browser entry).
module.exports = require("readable-stream/");
