// The realm's own timers (they end with the invocation), under their module name.
const g = globalThis;
exports.setTimeout = g.setTimeout;
exports.clearTimeout = g.clearTimeout;
exports.setInterval = g.setInterval;
exports.clearInterval = g.clearInterval;
exports.setImmediate = g.setImmediate;
exports.clearImmediate = g.clearImmediate;
exports.promises = require("timers/promises");
