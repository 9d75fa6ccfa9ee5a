// The EventEmitter constructor and emit as Node 22+ has them, over browserify's listener bookkeeping
// (the same _events / _eventsCount / _maxListeners layout Node uses, which libraries read).
const { codeError } = require("./errors.cjs");

const kCapture = Symbol("kCapture");
const errorMonitor = Symbol("events.errorMonitor");
const captureRejectionSymbol = Symbol.for("nodejs.rejection");

module.exports = function completeEmitter(Base) {
  // browserify's constructor drops its argument: Node's takes { captureRejections }.
  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.prototype = Base.prototype;
  Object.defineProperty(Base.prototype, "constructor", { value: EventEmitter, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(Base.prototype, kCapture, { value: false, writable: true, enumerable: false });
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.usingDomains = false;
  EventEmitter.captureRejectionSymbol = captureRejectionSymbol;
  EventEmitter.errorMonitor = errorMonitor;
  Object.defineProperty(EventEmitter, "captureRejections", {
    get() {
      return Base.prototype[kCapture];
    },
    set(value) {
      if (typeof value !== "boolean") throw codeError(TypeError, 'The "EventEmitter.captureRejections" property must be of type boolean.', "ERR_INVALID_ARG_TYPE");
      Base.prototype[kCapture] = value;
    },
    enumerable: true,
  });
  // browserify keeps the default in its own closure (and validates it as Node does): read through.
  Object.defineProperty(EventEmitter, "defaultMaxListeners", {
    get() {
      return Base.defaultMaxListeners;
    },
    set(value) {
      Base.defaultMaxListeners = value;
    },
    enumerable: true,
  });

  const browserifyInit = Base.init;
  EventEmitter.init = function init(opts) {
    browserifyInit.call(this);
    if (opts !== undefined && opts !== null && opts.captureRejections) {
      if (typeof opts.captureRejections !== "boolean") {
        throw codeError(TypeError, 'The "options.captureRejections" property must be of type boolean.', "ERR_INVALID_ARG_TYPE");
      }
      this[kCapture] = true;
    } else {
      this[kCapture] = Base.prototype[kCapture];
    }
  };
  // browserify's own constructor calls Base.init: keep the two the same.
  Base.init = EventEmitter.init;

  Base.prototype.emit = function emit(type, ...args) {
    let unhandled = type === "error";
    const events = this._events;
    if (events !== undefined) {
      // errorMonitor listeners see an 'error' first, whether or not it is handled.
      if (unhandled && events[errorMonitor] !== undefined) this.emit(errorMonitor, ...args);
      unhandled = unhandled && events.error === undefined;
    } else if (!unhandled) {
      return false;
    }
    if (unhandled) throw unhandledError(args.length > 0 ? args[0] : undefined);
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === "function") {
      const result = handler.apply(this, args);
      if (result !== undefined && result !== null) captureRejection(this, result, type, args);
    } else {
      // A copy: listeners added or removed while emitting take effect next time, as in Node.
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; i++) {
        const result = listeners[i].apply(this, args);
        if (result !== undefined && result !== null) captureRejection(this, result, type, args);
      }
    }
    return true;
  };
  return EventEmitter;
};

function unhandledError(er) {
  if (er instanceof Error) return er;
  let shown;
  try {
    shown = require("util").inspect(er);
  } catch {
    shown = er;
  }
  const error = codeError(Error, "Unhandled error. (" + shown + ")", "ERR_UNHANDLED_ERROR");
  error.context = er;
  return error;
}

// With captureRejections, a listener's rejected promise goes to emitter[Symbol.for('nodejs.rejection')],
// or else becomes an 'error' event (capture off meanwhile, so an async 'error' listener cannot loop).
function captureRejection(emitter, promise, type, args) {
  if (!emitter[kCapture]) return;
  try {
    const then = promise.then;
    if (typeof then !== "function") return;
    then.call(promise, undefined, function (error) {
      process.nextTick(function () {
        if (typeof emitter[captureRejectionSymbol] === "function") {
          emitter[captureRejectionSymbol](error, type, ...args);
          return;
        }
        const previous = emitter[kCapture];
        try {
          emitter[kCapture] = false;
          emitter.emit("error", error);
        } finally {
          emitter[kCapture] = previous;
        }
      });
    });
  } catch (error) {
    emitter.emit("error", error);
  }
}
