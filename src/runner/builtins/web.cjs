// The DOM event classes Node has as globals (event-target-shim), and AbortController/AbortSignal on them.
const { Event, EventTarget } = require("event-target-shim");

function abortError(reason) {
  if (reason !== undefined) return reason;
  const error = new Error("This operation was aborted");
  error.name = "AbortError";
  error.code = 20;
  return error;
}

class AbortSignal extends EventTarget {
  constructor() {
    super();
    this._aborted = false;
    this._reason = undefined;
    this.onabort = null;
  }
  get aborted() {
    return this._aborted;
  }
  get reason() {
    return this._reason;
  }
  throwIfAborted() {
    if (this._aborted) throw this._reason;
  }
  static abort(reason) {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  }
  static timeout(ms) {
    const controller = new AbortController();
    setTimeout(function () {
      const error = new Error("The operation was aborted due to timeout");
      error.name = "TimeoutError";
      error.code = 23;
      controller.abort(error);
    }, ms);
    return controller.signal;
  }
  static any(signals) {
    const controller = new AbortController();
    for (const signal of signals) {
      if (signal.aborted) {
        controller.abort(signal.reason);
        break;
      }
      signal.addEventListener("abort", function () {
        controller.abort(signal.reason);
      });
    }
    return controller.signal;
  }
}

class AbortController {
  constructor() {
    this._signal = new AbortSignal();
  }
  get signal() {
    return this._signal;
  }
  abort(reason) {
    const signal = this._signal;
    if (signal._aborted) return;
    signal._aborted = true;
    signal._reason = abortError(reason);
    const event = new Event("abort");
    if (typeof signal.onabort === "function") signal.onabort.call(signal, event);
    signal.dispatchEvent(event);
  }
}

module.exports = { Event, EventTarget, AbortController, AbortSignal };
