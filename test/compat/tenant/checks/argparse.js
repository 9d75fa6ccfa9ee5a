// argparse's actions subclass Function (callable objects that forward to their own call()).
const { ArgumentParser } = require("argparse");
exports.check = () => {
  const p = new ArgumentParser({ prog: "tool", exit_on_error: false });
  p.add_argument("-f", "--foo", { type: "int", default: 1 });
  p.add_argument("-v", "--verbose", { action: "count", default: 0 });
  p.add_argument("bar", { nargs: "+" });
  let error;
  try { p.parse_args(["--foo", "x", "a"]); } catch (e) { error = e.message; }
  return [p.parse_args(["--foo", "3", "-vv", "a", "b"]), error, p.format_usage()];
};
exports.expected = () => [{ foo: 3, verbose: 2, bar: ["a", "b"] }, "argument -f/--foo: invalid 'int' value: 'x'", "usage: tool [-h] [-f FOO] [-v] bar [bar ...]\n"];
