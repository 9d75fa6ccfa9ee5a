// Node's path: POSIX (the module itself; the realm's cwd is "/") and win32, cross-linked as in Node
// (path.posix.win32 === path.win32, path.win32.posix === path.posix). path-unified is Node's lib/path.js
// (v21.5); its argument errors are reshaped into Node's (a TypeError with code ERR_INVALID_ARG_TYPE).
const { posix, win32 } = require("path-unified");
const nodeArgumentError = require("./path/argument-error.cjs");

function withNodeErrors(impl) {
  const out = {};
  for (const key of Object.keys(impl)) {
    const value = impl[key];
    out[key] =
      typeof value !== "function"
        ? value
        : {
            [key](...args) {
              try {
                return value.apply(this, args);
              } catch (error) {
                throw nodeArgumentError(error, args);
              }
            },
          }[key];
  }
  out._makeLong = out.toNamespacedPath;
  return out;
}

const path = withNodeErrors(posix);
path.win32 = withNodeErrors(win32);
path.posix = path;
path.win32.win32 = path.win32;
path.win32.posix = path;
module.exports = path;
