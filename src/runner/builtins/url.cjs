// The legacy url.parse/format/resolve API, the realm's WHATWG URL classes, and the file: URL helpers
// (library ES modules' `fileURLToPath(import.meta.url)`: the realm's paths are POSIX, its root the folder's).
const legacy = require("url/");
const path = require("path");

function fileURLToPath(url) {
  const parsed = typeof url === "string" ? new URL(url) : url;
  if (!(parsed instanceof URL)) throw new TypeError('The "path" argument must be of type string or an instance of URL.');
  if (parsed.protocol !== "file:") throw new TypeError("The URL must be of scheme file");
  if (parsed.hostname !== "") throw new TypeError('File URL host must be "localhost" or empty on linux');
  const pathname = parsed.pathname;
  for (let i = 0; i + 2 < pathname.length; i++) {
    if (pathname[i] === "%" && pathname[i + 1] === "2" && (pathname[i + 2] === "f" || pathname[i + 2] === "F")) {
      throw new TypeError("File URL path must not include encoded / characters");
    }
  }
  return decodeURIComponent(pathname);
}

function pathToFileURL(filepath) {
  const resolved = path.resolve(filepath);
  const url = new URL("file://");
  // Characters a path may hold that a URL's path reads otherwise, encoded as Node does.
  let encoded = "";
  for (const ch of resolved + (filepath.endsWith("/") && resolved !== "/" ? "/" : "")) {
    encoded += ch === "%" ? "%25" : ch === "\\" ? "%5C" : ch === "\n" ? "%0A" : ch === "\r" ? "%0D" : ch === "\t" ? "%09" : ch === "#" ? "%23" : ch === "?" ? "%3F" : ch;
  }
  url.pathname = encoded;
  return url;
}

// Node's (lib/internal/url.js): the options http.request takes, from a WHATWG URL (got and other clients).
function urlToHttpOptions(url) {
  const { hostname, pathname, port, username, password, search } = url;
  const options = {
    __proto__: null,
    ...url,
    protocol: url.protocol,
    hostname: hostname && hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
    hash: url.hash,
    search: search,
    pathname: pathname,
    path: `${pathname || ""}${search || ""}`,
    href: url.href,
  };
  if (port !== "") options.port = Number(port);
  if (username || password) options.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return options;
}

module.exports = Object.assign({}, legacy, {
  urlToHttpOptions,
  URL: globalThis.URL,
  URLSearchParams: globalThis.URLSearchParams,
  fileURLToPath,
  pathToFileURL,
  domainToASCII: (domain) => {
    try {
      return new URL("http://" + domain).hostname;
    } catch {
      return "";
    }
  },
  domainToUnicode: (domain) => require("punycode").toUnicode(String(domain)),
});
