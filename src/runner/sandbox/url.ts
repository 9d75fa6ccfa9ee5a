import type { HostCall, UrlParts } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * URL and URLSearchParams. Parsing follows the WHATWG parser of the host, reached as string in, JSON string
 * out; the objects themselves are built here, in the sandbox realm.
 */
export function installUrl(g: typeof globalThis, P: Primordials, host: HostCall, step: () => void, pace: () => void) {
  type Parts = UrlParts;

  function parse(input: string, base?: string): Parts {
    const json = host("url", input, base === undefined ? "" : base);
    // The host parses the whole input (8 MiB: 65 ms) and the answer is parsed here again: a tenant loop of
    // new URL() read the clock only every 127 of them (the hard stop). Each parse reads it.
    pace();
    if (typeof json !== "string" || json === "") {
      const error = new P.TypeError("Invalid URL");
      P.ObjectDefineProperty(error, "code", { value: "ERR_INVALID_URL", configurable: true, writable: true });
      throw error;
    }
    return P.JSONParse(json) as Parts;
  }

  function decode(text: string): string {
    const plus = P.StringPrototypeReplace(text, /\+/g, " ");
    try {
      return decodeURIComponent(plus);
    } catch {
      return plus;
    }
  }

  function encode(text: string): string {
    return P.StringPrototypeReplace(encodeURIComponent(text), /%20/g, "+");
  }

  class URLSearchParams {
    #list: [string, string][] = [];
    #onChange: (() => void) | undefined;
    constructor(init: unknown = "") {
      if (typeof init === "string") this.#parse(init);
      else if (init instanceof URLSearchParams) {
        const other = init.#list;
        for (let i = 0; i < other.length; i++) step(), this.#list[this.#list.length] = [other[i]![0], other[i]![1]];
      } else if (P.ArrayIsArray(init)) {
        for (let i = 0; i < init.length; i++) {
          step();
          const pair = init[i] as unknown[];
          if (!P.ArrayIsArray(pair) || pair.length !== 2) throw new P.TypeError("Each query pair must be a [name, value] tuple");
          this.#list[this.#list.length] = [P.String(pair[0]), P.String(pair[1])];
        }
      } else if (init && typeof init === "object") {
        const keys = P.ObjectKeys(init);
        for (let i = 0; i < keys.length; i++) step(), this.#list[this.#list.length] = [keys[i]!, P.String((init as Record<string, unknown>)[keys[i]!])];
      }
    }
    #parse(text: string) {
      this.#list = [];
      const query = text[0] === "?" ? P.StringPrototypeSlice(text, 1) : text;
      if (!query) return;
      // Piece by piece, not one split: splitting 16 MiB into 4 Mi pieces is one long call no step interrupts.
      for (let start = 0; start <= query.length; ) {
        step();
        let end = P.StringPrototypeIndexOf(query, "&", start);
        if (end < 0) end = query.length;
        const piece = P.StringPrototypeSlice(query, start, end);
        start = end + 1;
        if (!piece) continue;
        const eq = P.StringPrototypeIndexOf(piece, "=");
        const name = eq < 0 ? piece : P.StringPrototypeSlice(piece, 0, eq);
        const value = eq < 0 ? "" : P.StringPrototypeSlice(piece, eq + 1);
        this.#list[this.#list.length] = [decode(name), decode(value)];
      }
    }
    static attach(params: URLSearchParams, text: string, onChange: () => void) {
      params.#parse(text);
      params.#onChange = onChange;
    }
    static reset(params: URLSearchParams, text: string) {
      params.#parse(text);
    }
    #changed() {
      if (this.#onChange) this.#onChange();
    }
    get size() {
      return this.#list.length;
    }
    append(name: unknown, value: unknown) {
      this.#list[this.#list.length] = [P.String(name), P.String(value)];
      this.#changed();
    }
    delete(name: unknown) {
      const key = P.String(name);
      const kept: [string, string][] = [];
      for (let i = 0; i < this.#list.length; i++) if ((step(), this.#list[i]![0] !== key)) kept[kept.length] = this.#list[i]!;
      this.#list = kept;
      this.#changed();
    }
    get(name: unknown) {
      const key = P.String(name);
      for (let i = 0; i < this.#list.length; i++) if ((step(), this.#list[i]![0] === key)) return this.#list[i]![1];
      return null;
    }
    getAll(name: unknown) {
      const key = P.String(name);
      const out: string[] = [];
      for (let i = 0; i < this.#list.length; i++) if ((step(), this.#list[i]![0] === key)) out[out.length] = this.#list[i]![1];
      return out;
    }
    has(name: unknown) {
      return this.get(name) !== null;
    }
    set(name: unknown, value: unknown) {
      const key = P.String(name);
      const kept: [string, string][] = [];
      let placed = false;
      for (let i = 0; i < this.#list.length; i++) {
        step();
        const pair = this.#list[i]!;
        if (pair[0] !== key) kept[kept.length] = pair;
        else if (!placed) {
          kept[kept.length] = [key, P.String(value)];
          placed = true;
        }
      }
      if (!placed) kept[kept.length] = [key, P.String(value)];
      this.#list = kept;
      this.#changed();
    }
    sort() {
      this.#list.sort((a, b) => (step(), a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#changed();
    }
    forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown) {
      for (let i = 0; i < this.#list.length; i++) P.apply(callback, thisArg, [this.#list[i]![1], this.#list[i]![0], this]);
    }
    *entries(): IterableIterator<[string, string]> {
      for (let i = 0; i < this.#list.length; i++) yield [this.#list[i]![0], this.#list[i]![1]];
    }
    *keys(): IterableIterator<string> {
      for (let i = 0; i < this.#list.length; i++) yield this.#list[i]![0];
    }
    *values(): IterableIterator<string> {
      for (let i = 0; i < this.#list.length; i++) yield this.#list[i]![1];
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      const parts: string[] = [];
      // 1 Mi pairs took 2.8 s in one call (the hard stop); and a URL's own params run this on every change.
      for (let i = 0; i < this.#list.length; i++) step(), parts[parts.length] = encode(this.#list[i]![0]) + "=" + encode(this.#list[i]![1]);
      return P.ArrayPrototypeJoin(parts, "&");
    }
  }

  class URL {
    #parts: Parts;
    #params: URLSearchParams;
    constructor(input: unknown, base?: unknown) {
      this.#parts = parse(P.String(input), base === undefined ? undefined : P.String(base));
      this.#params = new URLSearchParams();
      URLSearchParams.attach(this.#params, this.#parts.search, () => {
        const query = this.#params.toString();
        this.#set("search", query ? "?" + query : "", false);
      });
    }
    static canParse(input: unknown, base?: unknown) {
      try {
        parse(P.String(input), base === undefined ? undefined : P.String(base));
        return true;
      } catch {
        return false;
      }
    }
    static parse(input: unknown, base?: unknown) {
      try {
        return new URL(input, base);
      } catch {
        return null;
      }
    }
    #set(part: keyof Parts, value: string, resetParams = true) {
      const p = this.#parts;
      let href: string;
      switch (part) {
        case "href":
          href = value;
          break;
        case "search":
          href = p.protocol + "//" + (p.username ? p.username + (p.password ? ":" + p.password : "") + "@" : "") + p.host + p.pathname + (value && value[0] !== "?" ? "?" + value : value) + p.hash;
          break;
        case "hash":
          href = P.StringPrototypeSlice(p.href, 0, p.href.length - p.hash.length) + (value && value[0] !== "#" ? "#" + value : value);
          break;
        default: {
          // Rebuild from parts with one part replaced, then let the parser normalise it.
          const next = P.ObjectCreate(null) as Parts;
          const keys = P.ObjectKeys(p) as (keyof Parts)[];
          for (let i = 0; i < keys.length; i++) next[keys[i]!] = p[keys[i]!];
          next[part] = value;
          const auth = next.username ? next.username + (next.password ? ":" + next.password : "") + "@" : "";
          const hostPart = part === "host" ? value : next.hostname + (next.port ? ":" + next.port : "");
          const protocol = next.protocol[next.protocol.length - 1] === ":" ? next.protocol : next.protocol + ":";
          href = protocol + "//" + auth + hostPart + next.pathname + next.search + next.hash;
        }
      }
      try {
        this.#parts = parse(href);
      } catch {
        if (part === "href") throw new P.TypeError("Invalid URL");
        return;
      }
      if (resetParams) URLSearchParams.reset(this.#params, this.#parts.search);
    }
    get href() { return this.#parts.href; }
    set href(v: string) { this.#set("href", P.String(v)); }
    get origin() { return this.#parts.origin; }
    get protocol() { return this.#parts.protocol; }
    set protocol(v: string) { this.#set("protocol", P.String(v)); }
    get username() { return this.#parts.username; }
    set username(v: string) { this.#set("username", P.String(v)); }
    get password() { return this.#parts.password; }
    set password(v: string) { this.#set("password", P.String(v)); }
    get host() { return this.#parts.host; }
    set host(v: string) { this.#set("host", P.String(v)); }
    get hostname() { return this.#parts.hostname; }
    set hostname(v: string) { this.#set("hostname", P.String(v)); }
    get port() { return this.#parts.port; }
    set port(v: string) { this.#set("port", P.String(v)); }
    get pathname() { return this.#parts.pathname; }
    set pathname(v: string) { this.#set("pathname", P.String(v)); }
    get search() { return this.#parts.search; }
    set search(v: string) { this.#set("search", P.String(v)); }
    get hash() { return this.#parts.hash; }
    set hash(v: string) { this.#set("hash", P.String(v)); }
    get searchParams() { return this.#params; }
    toString() { return this.#parts.href; }
    toJSON() { return this.#parts.href; }
  }

  const define = (name: string, value: unknown) =>
    P.ObjectDefineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  define("URL", URL);
  define("URLSearchParams", URLSearchParams);
}
