// The WHATWG URL standard in JavaScript (node-fetch 2, jsdom): webidl-conversions reads SharedArrayBuffer's getters at load.
const { URL } = require("whatwg-url");
exports.check = () => {
  const u = new URL("https://user@a.example:8080/p/../q?x=1&y=2#h");
  return [u.href, u.port, u.searchParams.get("y"), new URL("/z", u).href, new URL("http://\u03b1\u03b2\u03b3.example/").hostname];
};
exports.expected = () => ["https://user@a.example:8080/q?x=1&y=2#h", "8080", "2", "https://user@a.example:8080/z", "xn--mxacd.example"];
