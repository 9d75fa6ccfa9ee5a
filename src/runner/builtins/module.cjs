// Node's `module`, for library code only (builtins.ts): bundlers' banners and Node builds of libraries call
// createRequire(import.meta.url or "/") at load and then require optional things inside a try (fflate asks
// for worker_threads). The require it returns finds nothing and throws MODULE_NOT_FOUND, as Node does for a
// module that is not there; a library requires what it needs with its own require or import. isBuiltin and
// builtinModules answer as Node's do (Node 24's list); the loader's internals throw when used.
const BUILTINS = ["_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server", "_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_wrap", "_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector", "inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks", "process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream", "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib"];
const PREFIX_ONLY = ["sea", "sqlite", "test", "test/reporters"];

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
