// What Node 24's util has beside browserify's util and inspect: styleText, aborted, toUSVString, the system
// error names (getSystemErrorName, getSystemErrorMessage, getSystemErrorMap). MIMEType and MIMEParams
// (util/mime.cjs) and parseArgs (@pkgjs/parseargs, Node's own implementation as a package) are loaded when
// first read: a call that does not use them does not build them.
/* global NODE_SYSTEM_ERRORS_JSON, NODE_INSPECT_COLORS_JSON */
const { codeError, invalidArgType, outOfRange } = require("../shared/node-errors.cjs");

// inspect.colors as Node has it (put in at build time): styleText needs no inspect engine for them.
let colors;
function colorsTable() {
  if (colors === undefined) colors = JSON.parse(NODE_INSPECT_COLORS_JSON);
  return colors;
}

/** Whether Node would color what goes to `stream`: FORCE_COLOR (the call's env) decides, else a TTY that can. */
function shouldColorize(stream) {
  const force = typeof process === "object" && process.env ? process.env.FORCE_COLOR : undefined;
  if (force !== undefined) return force !== "0" && force !== "false";
  return !!(stream && stream.isTTY) && (typeof stream.getColorDepth === "function" ? stream.getColorDepth() > 2 : true);
}

function isStreamLike(stream) {
  if (stream === null || typeof stream !== "object") return false;
  if (typeof ReadableStream === "function" && stream instanceof ReadableStream) return true;
  if (typeof WritableStream === "function" && stream instanceof WritableStream) return true;
  return !!(stream._readableState || stream._writableState || (typeof stream.on === "function" && (typeof stream.write === "function" || typeof stream.pipe === "function")));
}

function styleText(format, text, { validateStream = true, stream } = {}) {
  if (typeof text !== "string") throw invalidArgType("text", "of type string", text);
  if (typeof validateStream !== "boolean") throw invalidArgType("options.validateStream", "of type boolean", validateStream);
  let skip = false;
  if (validateStream) {
    // The realm's process.stdout is no stream: the default is taken as the console it stands for (no TTY).
    if (stream !== undefined && !isStreamLike(stream)) throw invalidArgType("stream", "an instance of ReadableStream, WritableStream, or Stream", stream);
    skip = !shouldColorize(stream === undefined ? { isTTY: false } : stream);
  }
  const table = colorsTable();
  const formats = Array.isArray(format) ? format : [format];
  let left = "";
  let right = "";
  for (const key of formats) {
    if (key === "none") continue;
    const codes = typeof key === "string" && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
    if (codes === undefined) {
      const allowed = Object.keys(table).map((name) => "'" + name + "'").join(", ");
      throw codeError(TypeError, "The argument 'format' must be one of: " + allowed + ". Received " + require("./inspection.cjs").inspect(key), "ERR_INVALID_ARG_VALUE");
    }
    left += "\u001b[" + codes[0] + "m";
    right = "\u001b[" + codes[1] + "m" + right;
  }
  return skip ? text : left + text + right;
}

/** A promise resolved when `signal` aborts (at once if it has); rejected for bad arguments, as Node's async function. */
async function aborted(signal, resource) {
  if (signal === undefined || signal === null || typeof signal !== "object" || !("aborted" in signal) || typeof signal.addEventListener !== "function") {
    throw invalidArgType("signal", "an instance of AbortSignal", signal);
  }
  if (resource === null || (typeof resource !== "object" && typeof resource !== "function")) throw invalidArgType("resource", "of type object", resource);
  if (signal.aborted) return;
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** The string with each lone surrogate replaced by U+FFFD. */
function toUSVString(input) {
  return String.prototype.toWellFormed.call(`${input}`);
}

let systemErrors;
function systemErrorTable() {
  if (systemErrors === undefined) systemErrors = new Map(JSON.parse(NODE_SYSTEM_ERRORS_JSON));
  return systemErrors;
}
function validateErrno(err) {
  if (typeof err !== "number") throw invalidArgType("err", "of type number", err);
  if (err >= 0 || !Number.isSafeInteger(err)) throw outOfRange("err", "a negative integer", err);
}

function getSystemErrorName(err) {
  validateErrno(err);
  const entry = systemErrorTable().get(err);
  return entry ? entry[0] : "Unknown system error " + err;
}

function getSystemErrorMessage(err) {
  validateErrno(err);
  const entry = systemErrorTable().get(err);
  return entry ? entry[1] : "Unknown system error " + err;
}

/** A new Map each call, as Node's (what a caller does to it stays its own). */
function getSystemErrorMap() {
  return new Map(Array.from(systemErrorTable(), ([code, [name, message]]) => [code, [name, message]]));
}

/**
 * Node's inherits: the constructor keeps its own prototype object (what was put on it before the call stays),
 * which is re-parented. browserify's (the `inherits` package's browser file) replaced `ctor.prototype` with a
 * new object, so methods defined before the call were lost (pngjs's sync inflate, and any constructor written
 * in that order).
 */
function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw invalidArgType("ctor", "of type function", ctor);
  if (superCtor === undefined || superCtor === null) throw invalidArgType("superCtor", "of type function", superCtor);
  if (superCtor.prototype === undefined) throw invalidArgType("superCtor.prototype", "of type object", superCtor.prototype);
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

module.exports = function addTo(util) {
  Object.assign(util, { inherits, styleText, aborted, toUSVString, getSystemErrorName, getSystemErrorMessage, getSystemErrorMap });
  // Node's other name of debuglog.
  if (typeof util.debuglog === "function") util.debug = util.debuglog;
  const lazy = (name, load) =>
    Object.defineProperty(util, name, {
      get() {
        const value = load();
        Object.defineProperty(util, name, { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
      set(value) {
        Object.defineProperty(util, name, { value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true,
      configurable: true,
    });
  lazy("parseArgs", () => require("./parse-args.cjs"));
  lazy("MIMEType", () => require("./mime.cjs").MIMEType);
  lazy("MIMEParams", () => require("./mime.cjs").MIMEParams);
  return util;
};
