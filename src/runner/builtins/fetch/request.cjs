// The Fetch standard's Request, as a value code makes or receives (a router's input, a test): method, URL,
// headers, signal and a body read once. Nothing here reaches a network.
const { extract, attach, mixInto, cloneBody, Headers } = require("./body.cjs");
const enumerableMembers = require("../shared/enumerable-members.cjs");

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NORMALIZED = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
const FORBIDDEN = ["CONNECT", "TRACE", "TRACK"];
const ENUMS = {
  mode: ["navigate", "same-origin", "no-cors", "cors"],
  credentials: ["omit", "same-origin", "include"],
  cache: ["default", "no-store", "reload", "no-cache", "force-cache", "only-if-cached"],
  redirect: ["follow", "error", "manual"],
};

function method(value) {
  const text = String(value);
  if (!TOKEN.test(text)) throw new TypeError("'" + text + "' is not a valid HTTP method.");
  const upper = text.toUpperCase();
  if (FORBIDDEN.includes(upper)) throw new TypeError("'" + text + "' HTTP method is unsupported.");
  return NORMALIZED.includes(upper) ? upper : text;
}

class Request {
  #method = "GET";
  #url;
  #headers;
  #signal;
  #options;

  constructor(input, init = {}) {
    if (arguments.length === 0) throw new TypeError("Request constructor: 1 argument required, but only 0 present.");
    if (init === null || typeof init !== "object") init = {};
    const from = input instanceof Request ? input : null;
    if (from === null) {
      let parsed;
      try {
        parsed = new URL(String(input));
      } catch (cause) {
        throw new TypeError("Failed to parse URL from " + String(input), { cause });
      }
      if (parsed.username !== "" || parsed.password !== "") throw new TypeError("Request cannot be constructed from a URL that includes credentials: " + String(input));
      this.#url = parsed.href;
    } else {
      this.#url = from.url;
      this.#method = from.method;
    }
    const options = from === null ? { mode: "cors", credentials: "same-origin", cache: "default", redirect: "follow", integrity: "", keepalive: false, referrer: "about:client", referrerPolicy: "" } : { ...from.#options };
    for (const name of Object.keys(ENUMS)) {
      if (init[name] === undefined) continue;
      const value = String(init[name]);
      if (!ENUMS[name].includes(value)) throw new TypeError("Request constructor: " + value + " is not an accepted value for " + name + ".");
      options[name] = value;
    }
    if (options.mode === "navigate") throw new TypeError("Request constructor: invalid request mode navigate.");
    if (init.integrity !== undefined) options.integrity = String(init.integrity);
    if (init.keepalive !== undefined) options.keepalive = Boolean(init.keepalive);
    if (init.referrerPolicy !== undefined) options.referrerPolicy = String(init.referrerPolicy);
    if (init.referrer !== undefined) options.referrer = init.referrer === "" ? "" : "about:client";
    this.#options = options;
    if (init.method !== undefined) this.#method = method(init.method);
    // The request's own signal follows the one it was given (or the input's), as Node's does.
    const controller = new AbortController();
    const given = init.signal !== undefined && init.signal !== null ? init.signal : from !== null ? from.signal : null;
    if (given !== null) {
      if (typeof given !== "object" || !("aborted" in given)) throw new TypeError("Request constructor: Expected signal to be an instance of AbortSignal.");
      if (given.aborted) controller.abort(given.reason);
      else given.addEventListener("abort", () => controller.abort(given.reason), { once: true });
    }
    this.#signal = controller.signal;
    this.#headers = new Headers(init.headers !== undefined ? init.headers : from !== null ? from.headers : undefined);
    let body = null;
    if (init.body !== undefined && init.body !== null) {
      if (this.#method === "GET" || this.#method === "HEAD") throw new TypeError("Request with GET/HEAD method cannot have body.");
      body = extract(init.body);
      if (body.stream !== undefined && init.duplex !== "half") throw new TypeError("RequestInit: duplex option is required when sending a body.");
    } else if (from !== null) {
      body = cloneBody(from, "Request");
    }
    attach(this, body, this.#headers);
  }

  get method() {
    return this.#method;
  }
  get url() {
    return this.#url;
  }
  get headers() {
    return this.#headers;
  }
  get signal() {
    return this.#signal;
  }
  get destination() {
    return "";
  }
  get referrer() {
    return this.#options.referrer;
  }
  get referrerPolicy() {
    return this.#options.referrerPolicy;
  }
  get mode() {
    return this.#options.mode;
  }
  get credentials() {
    return this.#options.credentials;
  }
  get cache() {
    return this.#options.cache;
  }
  get redirect() {
    return this.#options.redirect;
  }
  get integrity() {
    return this.#options.integrity;
  }
  get keepalive() {
    return this.#options.keepalive;
  }
  get isReloadNavigation() {
    return false;
  }
  get isHistoryNavigation() {
    return false;
  }
  get duplex() {
    return "half";
  }

  clone() {
    const body = cloneBody(this, "Request.clone");
    const copy = new Request(this.#url, { method: this.#method, headers: this.#headers, signal: this.#signal });
    copy.#options = { ...this.#options };
    attach(copy, body, copy.#headers);
    return copy;
  }
}
mixInto(Request.prototype);
Object.defineProperty(Request.prototype, Symbol.toStringTag, { value: "Request", configurable: true });

enumerableMembers(Request);

module.exports = Request;
