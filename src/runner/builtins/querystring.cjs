// querystring-es3, with Node's escape and unescape (what its stringify and parse use).
const qs = require("querystring-es3");
module.exports = Object.assign({}, qs, {
  escape: (str) => encodeURIComponent(str),
  unescape: (str) => {
    try {
      return decodeURIComponent(str);
    } catch {
      return unescape(str);
    }
  },
});
