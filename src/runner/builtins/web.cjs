// The DOM classes Node has as globals: Event and EventTarget (event-target-shim), CustomEvent, DOMException,
// and AbortController/AbortSignal on them.
const { Event, EventTarget } = require("event-target-shim");

// The legacy codes, by error name, and their constants (DOMException.ABORT_ERR, ...), as Node's DOMException has them.
const DOM_EXCEPTION_CODES = {
  IndexSizeError: [1, "INDEX_SIZE_ERR"],
  HierarchyRequestError: [3, "HIERARCHY_REQUEST_ERR"],
  WrongDocumentError: [4, "WRONG_DOCUMENT_ERR"],
  InvalidCharacterError: [5, "INVALID_CHARACTER_ERR"],
  NoModificationAllowedError: [7, "NO_MODIFICATION_ALLOWED_ERR"],
  NotFoundError: [8, "NOT_FOUND_ERR"],
  NotSupportedError: [9, "NOT_SUPPORTED_ERR"],
  InvalidStateError: [11, "INVALID_STATE_ERR"],
  SyntaxError: [12, "SYNTAX_ERR"],
  InvalidModificationError: [13, "INVALID_MODIFICATION_ERR"],
  NamespaceError: [14, "NAMESPACE_ERR"],
  InvalidAccessError: [15, "INVALID_ACCESS_ERR"],
  TypeMismatchError: [17, "TYPE_MISMATCH_ERR"],
  SecurityError: [18, "SECURITY_ERR"],
  NetworkError: [19, "NETWORK_ERR"],
  AbortError: [20, "ABORT_ERR"],
  URLMismatchError: [21, "URL_MISMATCH_ERR"],
  QuotaExceededError: [22, "QUOTA_EXCEEDED_ERR"],
  TimeoutError: [23, "TIMEOUT_ERR"],
  InvalidNodeTypeError: [24, "INVALID_NODE_TYPE_ERR"],
  DataCloneError: [25, "DATA_CLONE_ERR"],
};
// Codes no error name has any more: constants only.
const DOM_EXCEPTION_CONSTANTS = { DOMSTRING_SIZE_ERR: 2, NO_DATA_ALLOWED_ERR: 6, INUSE_ATTRIBUTE_ERR: 10, VALIDATION_ERR: 16 };

// An Error, as Node's is (instanceof Error, a stack); name, message and code are prototype getters.
class DOMException extends Error {
  #name;
  #message;
  constructor(message, options) {
    super();
    this.#message = message === undefined ? "" : String(message);
    if (options !== null && typeof options === "object") {
      this.#name = "name" in options ? String(options.name) : "Error";
      if ("cause" in options) Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true, enumerable: false });
    } else {
      this.#name = options === undefined ? "Error" : String(options);
    }
    // The realm's stack formatter reads no getter (it runs on host frames), so the stack began "Error" where
    // Node's begins "AbortError: This operation was aborted": the first line is put right here.
    const stack = this.stack;
    if (typeof stack === "string" && stack.startsWith("Error")) {
      const head = this.#message === "" ? this.#name : this.#name + ": " + this.#message;
      Object.defineProperty(this, "stack", { value: head + stack.slice("Error".length), writable: true, configurable: true, enumerable: false });
    }
  }
  get name() {
    return this.#name;
  }
  get message() {
    return this.#message;
  }
  get code() {
    return Object.prototype.hasOwnProperty.call(DOM_EXCEPTION_CODES, this.#name) ? DOM_EXCEPTION_CODES[this.#name][0] : 0;
  }
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
const constants = Object.assign({}, DOM_EXCEPTION_CONSTANTS);
for (const name of Object.keys(DOM_EXCEPTION_CODES)) constants[DOM_EXCEPTION_CODES[name][1]] = DOM_EXCEPTION_CODES[name][0];
for (const constant of Object.keys(constants)) {
  const descriptor = { value: constants[constant], enumerable: true };
  Object.defineProperty(DOMException, constant, descriptor);
  Object.defineProperty(DOMException.prototype, constant, descriptor);
}

class CustomEvent extends Event {
  #detail;
  constructor(type, options) {
    super(type, options);
    this.#detail = options !== null && typeof options === "object" && options.detail !== undefined ? options.detail : null;
  }
  get detail() {
    return this.#detail;
  }
}

function abortError(reason) {
  if (reason !== undefined) return reason;
  return new DOMException("This operation was aborted", "AbortError");
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
      controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
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

module.exports = { Event, EventTarget, CustomEvent, DOMException, AbortController, AbortSignal };
