// browserify's EventEmitter, completed to what Node 22+'s module has: a constructor that takes
// { captureRejections }, emit with errorMonitor and rejection capture, events.once with a signal,
// events.on, getEventListeners and the other statics.
const Base = require("events/");
const EventEmitter = require("./events/emitter.cjs")(Base);
const once = require("./events/once.cjs");
const on = require("./events/on.cjs");
require("./events/statics.cjs")(EventEmitter);
EventEmitter.once = once;
EventEmitter.on = on;
module.exports = EventEmitter;
