// The Fetch standard's Headers, without guards (the realm has no Request or Response to lock them): names
// are compared and kept lower-cased, values stripped of leading and trailing HTTP whitespace, iteration is
// sorted with the values of a name joined by ", " except Set-Cookie's. No network is involved.
const { byteString } = require("./byte-string.cjs");
const enumerableMembers = require("../shared/enumerable-members.cjs");
const { definePairIterable, withPairSet } = require("./iterator.cjs");

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// HTTP whitespace: tab, line feed, carriage return, space.
const isWhitespace = (code) => code === 9 || code === 10 || code === 13 || code === 32;

// Stripped by index, not by a regular expression: /[\t\n\r ]+$/ backtracks quadratically over a long inner run.
function stripEdges(text) {
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function headerName(value) {
  const name = byteString(value, "Headers");
  if (!TOKEN.test(name)) throw new TypeError("Headers: invalid header name " + JSON.stringify(name));
  return name.toLowerCase();
}

function headerValue(value) {
  const text = stripEdges(byteString(value, "Headers"));
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || code === 10 || code === 13) throw new TypeError("Headers: invalid header value " + JSON.stringify(text));
  }
  return text;
}

class Headers {
  // [lower-cased name, value] in the order they were added.
  #list = [];

  constructor(init = undefined) {
    if (init === undefined) return;
    if (init === null || (typeof init !== "object" && typeof init !== "function")) throw new TypeError("Headers: the init argument must be an object or a sequence of pairs");
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        if (pair === null || typeof pair !== "object" || typeof pair[Symbol.iterator] !== "function") throw new TypeError("Headers: each init pair must be a sequence");
        const items = Array.from(pair);
        if (items.length !== 2) throw new TypeError("Headers: each init pair must have exactly two items");
        this.append(items[0], items[1]);
      }
      return;
    }
    for (const key of Reflect.ownKeys(init)) {
      const descriptor = Object.getOwnPropertyDescriptor(init, key);
      if (descriptor === undefined || !descriptor.enumerable) continue;
      if (typeof key === "symbol") throw new TypeError("Headers: a record key cannot be a symbol");
      this.append(key, init[key]);
    }
  }

  append(name, value) {
    this.#list.push([headerName(name), headerValue(value)]);
  }

  delete(name) {
    const key = headerName(name);
    this.#list = this.#list.filter((pair) => pair[0] !== key);
  }

  get(name) {
    const key = headerName(name);
    const values = this.#list.filter((pair) => pair[0] === key).map((pair) => pair[1]);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie() {
    return this.#list.filter((pair) => pair[0] === "set-cookie").map((pair) => pair[1]);
  }

  has(name) {
    const key = headerName(name);
    return this.#list.some((pair) => pair[0] === key);
  }

  set(name, value) {
    this.#list = withPairSet(this.#list, [headerName(name), headerValue(value)]);
  }

  static {
    definePairIterable(this, "Headers", (headers) => {
      const pairs = headers.#sorted();
      return (index) => pairs[index];
    });
  }

  // The standard's "sort and combine": by name; one pair per name, but one per Set-Cookie value.
  #sorted() {
    const names = [...new Set(this.#list.map((pair) => pair[0]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pairs = [];
    for (const name of names) {
      if (name === "set-cookie") for (const value of this.getSetCookie()) pairs.push([name, value]);
      else pairs.push([name, this.get(name)]);
    }
    return pairs;
  }
}
Object.defineProperty(Headers.prototype, Symbol.toStringTag, { value: "Headers", configurable: true });

enumerableMembers(Headers);

module.exports = Headers;
