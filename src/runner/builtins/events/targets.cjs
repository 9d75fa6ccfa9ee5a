// Listening on either kind of emitter, as events.once and events.on do in Node: an EventEmitter through
// on/once/removeListener, an EventTarget through addEventListener (no 'error' semantics there).
const { codeError } = require("./errors.cjs");

function isEventTarget(value) {
  return value !== null && typeof value === "object" && typeof value.addEventListener === "function" && typeof value.removeEventListener === "function" && typeof value.dispatchEvent === "function";
}

function notAnEmitter() {
  return codeError(TypeError, 'The "emitter" argument must be an instance of EventEmitter or EventTarget.', "ERR_INVALID_ARG_TYPE");
}

/** Adds `listener` (called with the event's arguments as an array); returns what removes it. */
function listen(emitter, name, listener, once) {
  if (emitter !== null && typeof emitter === "object" && typeof emitter.on === "function") {
    const handler = function (...args) {
      listener(args);
    };
    if (once) emitter.once(name, handler);
    else emitter.on(name, handler);
    return function remove() {
      emitter.removeListener(name, handler);
    };
  }
  if (isEventTarget(emitter)) {
    const handler = function (event) {
      listener([event]);
    };
    emitter.addEventListener(name, handler, { once });
    return function remove() {
      emitter.removeEventListener(name, handler);
    };
  }
  throw notAnEmitter();
}

// The listener runs once when the signal aborts (in a microtask if it already has); returns what removes it.
function onAbort(signal, listener) {
  let removed = false;
  const handler = function (event) {
    if (!removed) listener(event);
  };
  if (signal.aborted) queueMicrotask(handler);
  else signal.addEventListener("abort", handler, { once: true });
  return function remove() {
    removed = true;
    signal.removeEventListener("abort", handler);
  };
}

// Node's events.addAbortListener: onAbort, answered with a Disposable.
function addAbortListener(signal, listener) {
  if (signal === undefined || signal === null || typeof signal !== "object" || !("aborted" in signal)) {
    throw codeError(TypeError, 'The "signal" argument must be an instance of AbortSignal.', "ERR_INVALID_ARG_TYPE");
  }
  if (typeof listener !== "function") throw codeError(TypeError, 'The "listener" argument must be of type function.', "ERR_INVALID_ARG_TYPE");
  const remove = onAbort(signal, listener);
  const disposable = {};
  if (typeof Symbol.dispose === "symbol") disposable[Symbol.dispose] = remove;
  return disposable;
}

module.exports = { isEventTarget, notAnEmitter, listen, onAbort, addAbortListener };
