// util.MIMEType and util.MIMEParams: the WHATWG MIME Sniffing standard's parsing and serialization, with Node's
// API and errors (ERR_INVALID_MIME_SYNTAX, naming the part and the index of the first bad character in it).
const { codeError } = require("../shared/node-errors.cjs");

const isWhitespace = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
// HTTP token code points: !#$%&'*+-.^_`|~, digits and ASCII letters.
const TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";
function isTokenCode(c) {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c < 0x80 && TOKEN_PUNCTUATION.indexOf(String.fromCharCode(c)) !== -1);
}
/** The index of the first character of `text` that is not a token code point, or -1. */
function firstNonToken(text) {
  for (let i = 0; i < text.length; i++) if (!isTokenCode(text.charCodeAt(i))) return i;
  return -1;
}
/** The index of the first character that is no HTTP quoted-string token code point (tab, 0x20-0x7E, 0x80-0xFF), or -1. */
function firstNonQuotable(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return i;
  }
  return -1;
}

function syntaxError(production, text, index) {
  return codeError(TypeError, 'The MIME syntax for a ' + production + ' in "' + text + '" is invalid' + (index !== -1 ? " at " + index : ""), "ERR_INVALID_MIME_SYNTAX");
}

function trimEnd(text) {
  let end = text.length;
  while (end > 0 && isWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** A parameter value as it is written: as it is when all token code points (and not empty), quoted otherwise. */
function serializeValue(value) {
  if (value.length > 0 && firstNonToken(value) === -1) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    out += c === '"' || c === "\\" ? "\\" + c : c;
  }
  return out + '"';
}

const PARAMS = new WeakMap();

/** A MIME type's parameters: names are matched and kept lower-cased, as Node's. */
class MIMEParams {
  constructor() {
    PARAMS.set(this, new Map());
  }
  delete(name) {
    PARAMS.get(this).delete(`${name}`.toLowerCase());
  }
  get(name) {
    const map = PARAMS.get(this);
    const key = `${name}`.toLowerCase();
    return map.has(key) ? map.get(key) : null;
  }
  has(name) {
    return PARAMS.get(this).has(`${name}`.toLowerCase());
  }
  set(name, value) {
    const key = `${name}`;
    const text = `${value}`;
    const badName = firstNonToken(key);
    if (key.length === 0 || badName !== -1) throw syntaxError("parameter name", key, badName);
    const badValue = firstNonQuotable(text);
    if (badValue !== -1) throw syntaxError("parameter value", text, badValue);
    PARAMS.get(this).set(key.toLowerCase(), text);
  }
  *entries() {
    yield* PARAMS.get(this).entries();
  }
  *keys() {
    yield* PARAMS.get(this).keys();
  }
  *values() {
    yield* PARAMS.get(this).values();
  }
  toString() {
    let out = "";
    for (const [name, value] of PARAMS.get(this)) out += (out === "" ? "" : ";") + name + "=" + serializeValue(value);
    return out;
  }
  toJSON() {
    return this.toString();
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

/** The parameters after a MIME type's essence (`text` from `position`), into `params` as the standard reads them. */
function parseParameters(text, position, map) {
  const length = text.length;
  while (position < length) {
    position++; // the ";"
    while (position < length && isWhitespace(text.charCodeAt(position))) position++;
    let end = position;
    while (end < length && text[end] !== ";" && text[end] !== "=") end++;
    const name = text.slice(position, end).toLowerCase();
    position = end;
    if (position < length) {
      if (text[position] === ";") continue;
      position++; // the "="
    }
    if (position >= length) break;
    let value;
    if (text[position] === '"') {
      // An HTTP quoted string, its value extracted; what follows it up to the next ";" is dropped.
      value = "";
      position++;
      while (position < length) {
        const c = text[position];
        if (c === '"') {
          position++;
          break;
        }
        if (c === "\\") {
          position++;
          if (position >= length) {
            value += "\\";
            break;
          }
        }
        value += text[position];
        position++;
      }
      while (position < length && text[position] !== ";") position++;
    } else {
      end = position;
      while (end < length && text[end] !== ";") end++;
      value = trimEnd(text.slice(position, end));
      position = end;
      if (value === "") continue;
    }
    if (name.length > 0 && firstNonToken(name) === -1 && firstNonQuotable(value) === -1 && !map.has(name)) map.set(name, value);
  }
}

const STATE = new WeakMap();

/** A type or subtype set on a MIMEType: a non-empty token, lowercased, or Node's ERR_INVALID_MIME_SYNTAX. */
function settableToken(value, which) {
  const text = `${value}`;
  const bad = firstNonToken(text);
  if (text.length === 0 || bad !== -1) throw syntaxError(which, text, bad);
  return text.toLowerCase();
}

class MIMEType {
  constructor(input) {
    const text = `${input}`;
    let start = 0;
    let end = text.length;
    while (start < end && isWhitespace(text.charCodeAt(start))) start++;
    while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
    const trimmed = text.slice(start, end);
    const slash = trimmed.indexOf("/");
    const type = slash === -1 ? trimmed : trimmed.slice(0, slash);
    const badType = firstNonToken(type);
    if (slash === -1 || type.length === 0 || badType !== -1) throw syntaxError("type", trimmed, slash === -1 || type.length === 0 ? -1 : badType);
    let semicolon = trimmed.indexOf(";", slash + 1);
    if (semicolon === -1) semicolon = trimmed.length;
    const subtype = trimEnd(trimmed.slice(slash + 1, semicolon));
    const badSubtype = firstNonToken(subtype);
    if (subtype.length === 0 || badSubtype !== -1) throw syntaxError("subtype", trimmed, subtype.length === 0 ? -1 : badSubtype);
    const params = new MIMEParams();
    parseParameters(trimmed, semicolon, PARAMS.get(params));
    STATE.set(this, { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params });
  }
  get type() {
    return STATE.get(this).type;
  }
  set type(value) {
    STATE.get(this).type = settableToken(value, "type");
  }
  get subtype() {
    return STATE.get(this).subtype;
  }
  set subtype(value) {
    STATE.get(this).subtype = settableToken(value, "subtype");
  }
  get essence() {
    const state = STATE.get(this);
    return state.type + "/" + state.subtype;
  }
  get params() {
    return STATE.get(this).params;
  }
  toString() {
    const params = STATE.get(this).params.toString();
    return this.essence + (params === "" ? "" : ";" + params);
  }
  toJSON() {
    return this.toString();
  }
}

module.exports = { MIMEType, MIMEParams };
