// Node's coded errors, as events throws them (name and message as Node's, `code` an own property).
function codeError(Kind, message, code) {
  const error = new Kind(message);
  error.code = code;
  return error;
}

// Node's AbortError (not a DOMException): what events.once and events.on reject with when their signal aborts.
class AbortError extends Error {
  constructor(message, options) {
    super(message === undefined ? "The operation was aborted" : message, options);
    this.code = "ABORT_ERR";
    this.name = "AbortError";
  }
}

function validateSignal(signal, name) {
  if (signal !== undefined && (signal === null || typeof signal !== "object" || !("aborted" in signal))) {
    throw codeError(TypeError, 'The "' + name + '" property must be an instance of AbortSignal.', "ERR_INVALID_ARG_TYPE");
  }
}

function validateCount(value, name) {
  if (typeof value !== "number" || value < 0 || Number.isNaN(value)) {
    throw codeError(RangeError, 'The value of "' + name + '" is out of range. It must be a non-negative number. Received ' + String(value), "ERR_OUT_OF_RANGE");
  }
}

module.exports = { codeError, AbortError, validateSignal, validateCount };
