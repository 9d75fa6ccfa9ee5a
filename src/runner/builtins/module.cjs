// Node's `module`, for library code only (builtins.ts): bundlers' banners and Node builds of libraries call
// createRequire(import.meta.url or "/") at load and then require optional things inside a try (fflate asks
// for worker_threads). The require it returns finds nothing and throws MODULE_NOT_FOUND, as Node does for a
// module that is not there; a library requires what it needs with its own require or import. isBuiltin and
// builtinModules answer as Node's do (NODE_BUILTIN_MODULES: Node's own list, put in at build time,
// tsup.config.ts); the loader's internals throw when used.
/* global NODE_BUILTIN_MODULES_JSON */
const NODE_BUILTIN_MODULES = JSON.parse(NODE_BUILTIN_MODULES_JSON);
const BUILTINS = NODE_BUILTIN_MODULES.filter((name) => !name.startsWith("node:"));
/** Modules Node has only under "node:" (node:test, node:sqlite, ...). */
const PREFIX_ONLY = NODE_BUILTIN_MODULES.filter((name) => name.startsWith("node:")).map((name) => name.slice(5));

function notFound(request) {
  const error = new Error('Cannot find module "' + String(request).slice(0, 200) + '" (createRequire\'s require finds nothing in the sandbox: require it from the module itself)');
  error.code = "MODULE_NOT_FOUND";
  return error;
}

function createRequire() {
  function require(request) {
    throw notFound(request);
  }
  require.resolve = function resolve(request) {
    throw notFound(request);
  };
  require.cache = Object.create(null);
  return require;
}

function isBuiltin(name) {
  const text = String(name);
  if (text.startsWith("node:")) return BUILTINS.indexOf(text.slice(5)) !== -1 || PREFIX_ONLY.indexOf(text.slice(5)) !== -1;
  return BUILTINS.indexOf(text) !== -1;
}

function unavailable(what) {
  return function () {
    throw new Error("module." + what + " is not available in the sandbox");
  };
}

function Module() {
  throw new Error("module.Module is not available in the sandbox");
}
Module.createRequire = createRequire;
Module.isBuiltin = isBuiltin;
Module.builtinModules = BUILTINS.slice();
Module.wrap = function wrap(script) {
  return "(function (exports, require, module, __filename, __dirname) { " + script + "\n});";
};
Module._extensions = Object.create(null);
Module._cache = Object.create(null);
Module._load = unavailable("_load");
Module._resolveFilename = unavailable("_resolveFilename");
Module.register = unavailable("register");
Module.syncBuiltinESMExports = function syncBuiltinESMExports() {};
Module.Module = Module;

module.exports = Module;
