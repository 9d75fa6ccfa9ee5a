// The Fetch standard's Response, as a value code makes (a handler's answer, a test double): status,
// headers and a body read once. Nothing here reaches a network; error() and redirect() are plain values.
const { extract, attach, mixInto, cloneBody, Headers } = require("./body.cjs");
const enumerableMembers = require("../shared/enumerable-members.cjs");

const NULL_BODY_STATUS = [101, 103, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

// WebIDL's unsigned short: truncated, then modulo 2^16 (200.5 is 200).
function unsignedShort(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return 0;
  const truncated = Math.trunc(n) % 65536;
  return truncated < 0 ? truncated + 65536 : truncated;
}

class Response {
  #type = "default";
  #status;
  #statusText;
  #headers;
  #url = "";

  constructor(body = null, init = {}) {
    if (init === null || typeof init !== "object") init = {};
    const status = init.status === undefined ? 200 : unsignedShort(init.status);
    if (status < 200 || status > 599) throw new RangeError('init["status"] must be in the range of 200 to 599, inclusive.');
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!REASON_PHRASE.test(statusText)) throw new TypeError("Invalid statusText");
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers(init.headers);
    const extracted = extract(body);
    if (extracted !== null && NULL_BODY_STATUS.includes(status)) throw new TypeError("Response constructor: Invalid response status code " + status);
    attach(this, extracted, this.#headers);
  }

  static error() {
    const response = new Response(null, { status: 200 });
    response.#type = "error";
    response.#status = 0;
    return response;
  }

  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable");
    const headers = new Headers(init !== null && typeof init === "object" ? init.headers : undefined);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...(init !== null && typeof init === "object" ? init : {}), headers });
  }

  static redirect(url, status = 302) {
    let parsed;
    try {
      parsed = new URL(String(url));
    } catch (cause) {
      throw new TypeError("Failed to parse URL from " + String(url), { cause });
    }
    const code = unsignedShort(status);
    if (!REDIRECT_STATUS.includes(code)) throw new RangeError("Invalid status code " + status);
    const response = new Response(null, { status: 200 });
    response.#status = code;
    response.#headers.set("location", parsed.href);
    return response;
  }

  get type() {
    return this.#type;
  }
  get url() {
    return this.#url;
  }
  get redirected() {
    return false;
  }
  get status() {
    return this.#status;
  }
  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText() {
    return this.#statusText;
  }
  get headers() {
    return this.#headers;
  }

  clone() {
    const body = cloneBody(this, "Response.clone");
    const copy = new Response(null, { status: 200, statusText: this.#statusText, headers: this.#headers });
    copy.#type = this.#type;
    copy.#status = this.#status;
    attach(copy, body, copy.#headers);
    return copy;
  }
}
mixInto(Response.prototype);
Object.defineProperty(Response.prototype, Symbol.toStringTag, { value: "Response", configurable: true });

enumerableMembers(Response);

module.exports = Response;
