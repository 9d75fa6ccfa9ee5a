// Node's `module`, the part a sandbox can answer. Bundlers' banners and Node builds of libraries call
// createRequire(import.meta.url or "/") at load and then require optional things inside a try (fflate asks
// for worker_threads): the require it returns finds nothing and throws MODULE_NOT_FOUND, as Node does for a
// module that is not there. A module requires what it needs with its own require or import.
const AVAILABLE = ["assert", "buffer", "crypto", "diagnostics_channel", "events", "os", "path", "process", "querystring", "stream", "string_decoder", "timers", "tty", "url", "util"];

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
  const bare = String(name).startsWith("node:") ? String(name).slice(5) : String(name);
  return AVAILABLE.indexOf(bare.split("/")[0]) !== -1;
}

module.exports = { createRequire, isBuiltin, builtinModules: AVAILABLE.slice() };
