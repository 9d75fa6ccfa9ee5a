// Channels nobody outside the invocation can subscribe to: publishing is a no-op, as with no subscribers.
function Channel(name) {
  this.name = name;
}
Channel.prototype.hasSubscribers = false;
Channel.prototype.publish = function publish() {};
Channel.prototype.subscribe = function subscribe() {};
Channel.prototype.unsubscribe = function unsubscribe() {
  return false;
};
Channel.prototype.bindStore = function bindStore() {};
Channel.prototype.unbindStore = function unbindStore() {
  return false;
};
Channel.prototype.runStores = function runStores(_data, fn, thisArg) {
  return fn.apply(thisArg, Array.prototype.slice.call(arguments, 3));
};
const channels = new Map();
function channel(name) {
  let existing = channels.get(name);
  if (!existing) channels.set(name, (existing = new Channel(name)));
  return existing;
}
function tracingChannel(nameOrChannels) {
  const names = ["start", "end", "asyncStart", "asyncEnd", "error"];
  const tracing = { hasSubscribers: false };
  for (const event of names) tracing[event] = typeof nameOrChannels === "string" ? channel("tracing:" + nameOrChannels + ":" + event) : nameOrChannels[event];
  tracing.subscribe = function subscribe() {};
  tracing.unsubscribe = function unsubscribe() {
    return false;
  };
  tracing.traceSync = function traceSync(fn, _context, thisArg) {
    return fn.apply(thisArg, Array.prototype.slice.call(arguments, 3));
  };
  tracing.tracePromise = tracing.traceSync;
  tracing.traceCallback = tracing.traceSync;
  return tracing;
}
exports.channel = channel;
exports.hasSubscribers = function hasSubscribers() {
  return false;
};
exports.subscribe = function subscribe() {};
exports.unsubscribe = function unsubscribe() {
  return false;
};
exports.tracingChannel = tracingChannel;
exports.Channel = Channel;
