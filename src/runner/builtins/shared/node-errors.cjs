// Node's argument errors (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) worded as Node words them: bundled into each
// built-in that needs them.

/** How Node's messages name a value they refuse ("type number (5)", "an instance of Object", "null"). */
function received(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "function " + value.name;
  if (typeof value === "object") {
    const ctor = value.constructor;
    return ctor && typeof ctor.name === "string" && ctor.name !== "" ? "an instance of " + ctor.name : "[Object: null prototype]";
  }
  let shown;
  if (typeof value === "string") {
    // A string past 28 characters is cut to 25 and "...", then quoted as inspect quotes it.
    const text = value.length > 28 ? value.slice(0, 25) + "..." : value;
    shown = text.indexOf("'") !== -1 && text.indexOf('"') === -1 ? '"' + text + '"' : "'" + text + "'";
  } else shown = typeof value === "bigint" ? value + "n" : String(value);
  return "type " + typeof value + " (" + shown + ")";
}

function codeError(Ctor, message, code) {
  const error = new Ctor(message);
  error.code = code;
  return error;
}

/** `The "name" argument must be <expected>. Received ...` (a name with a dot is a property). */
function invalidArgType(name, expected, value) {
  const what = name.indexOf(".") === -1 ? "argument" : "property";
  return codeError(TypeError, 'The "' + name + '" ' + what + " must be " + expected + ". Received " + received(value), "ERR_INVALID_ARG_TYPE");
}

/** Node's grouping of a big integer's digits in a range message (123_456_789_012). */
function separated(value) {
  const text = String(value);
  if (!(Number.isInteger(value) && Math.abs(value) > 2 ** 32)) return text;
  const sign = text[0] === "-" ? "-" : "";
  let digits = sign ? text.slice(1) : text;
  let out = "";
  while (digits.length > 3) {
    out = "_" + digits.slice(-3) + out;
    digits = digits.slice(0, -3);
  }
  return sign + digits + out;
}

function outOfRange(name, range, value) {
  return codeError(RangeError, 'The value of "' + name + '" is out of range. It must be ' + range + ". Received " + separated(value), "ERR_OUT_OF_RANGE");
}

/** Node's validateUint32. */
function validateUint32(value, name) {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
  if (!Number.isInteger(value)) throw outOfRange(name, "an integer", value);
  if (value < 0 || value > 4294967295) throw outOfRange(name, ">= 0 && <= 4294967295", value);
}

module.exports = { received, codeError, invalidArgType, outOfRange, validateUint32 };
