// Node's util.inspect, util.format and formatWithOptions, from the internal inspect bundle (inspect.cjs). It
// builds a copy of every intrinsic when it loads (about 3 ms), so it loads on first use: a module that only
// names util.inspect.custom does not pay for it.
const formatPrimitives = require("./format-primitives.cjs");

let engine;
function load() {
  if (engine === undefined) engine = require("node:internal/inspect");
  return engine;
}

function inspect(value, options) {
  return load().inspect.apply(this, arguments);
}
inspect.custom = Symbol.for("nodejs.util.inspect.custom");
for (const name of ["defaultOptions", "colors", "styles"]) {
  Object.defineProperty(inspect, name, {
    get() {
      return load().inspect[name];
    },
    set(value) {
      load().inspect[name] = value;
    },
    enumerable: true,
  });
}

function format(...args) {
  const quick = formatPrimitives(args);
  return quick !== undefined ? quick : load().format(...args);
}

function formatWithOptions(inspectOptions, ...args) {
  return load().formatWithOptions(inspectOptions, ...args);
}

function stripVTControlCharacters(text) {
  return load().stripVTControlCharacters(text);
}

module.exports = { inspect, format, formatWithOptions, stripVTControlCharacters };
