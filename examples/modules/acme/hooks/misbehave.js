// Deliberately bad hooks for the demo. Both are valid source; the sandbox stops them at run time.

// A synchronous infinite loop: ends as TIMEOUT, and the runtime stays usable.
exports.spin = function spin() {
  for (;;) {
    // busy
  }
};

// Node built-ins do not exist in the sandbox: ends as MODULE_NOT_FOUND.
exports.readSecrets = function readSecrets() {
  const fs = require("fs");
  return fs.readFileSync("/etc/passwd", "utf8");
};
