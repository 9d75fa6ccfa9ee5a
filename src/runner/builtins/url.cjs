// The legacy url.parse/format/resolve API, and the realm's WHATWG URL classes.
const legacy = require("url/");
module.exports = Object.assign({}, legacy, { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams });
