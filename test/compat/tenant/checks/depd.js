const depd = require("depd");
const deprecate = depd("my-lib");
function oldThing() { deprecate("oldThing() is deprecated"); return 1; }
exports.check = function check() {
  const lines = [];
  const write = process.stderr.write;
  process.stderr.write = (text) => { lines.push(String(text).replace(/^.* GMT /, "")); return true; };
  try {
    return { value: oldThing(), file: deprecate._file, lines };
  } finally {
    process.stderr.write = write;
  }
};
// The call site comes from the frames depd captures through Error.prepareStackTrace (stack hooks, SECURITY.md).
exports.expected = () => ({ value: 1, file: "checks/depd.js", lines: ["my-lib deprecated oldThing() is deprecated at checks/depd.js:9:21\n"] });
