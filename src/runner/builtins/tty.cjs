// The realm has no terminal: isatty() is false for every descriptor (debug, chalk and friends ask at load).
exports.isatty = function isatty() {
  return false;
};
function NotATerminal() {
  throw new Error("tty streams are not available in the sandbox");
}
exports.ReadStream = NotATerminal;
exports.WriteStream = NotATerminal;
