// multipart/form-data as the Fetch standard writes a FormData body and reads one back (formData()).
// Bytes are handled as a latin1 "binary" string: one character per byte, so offsets are byte offsets.
const concatBytes = require("../shared/concat-bytes.cjs");
const encoder = new TextEncoder();

function binary(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return out;
}

function bytesOf(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const escapeName = (name) => name.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
const normalizeLines = (text) => text.replace(/\r\n|\r|\n/g, "\r\n");

function boundary() {
  let digits = "";
  for (let i = 0; i < 11; i++) digits += Math.floor(Math.random() * 10);
  return "----formdata-tenantbox-0" + digits;
}

/** The body's bytes for a FormData's entries (strings and Files), with this boundary. */
async function encode(entries, mark) {
  const parts = [];
  for (const [name, value] of entries) {
    let head = "--" + mark + '\r\nContent-Disposition: form-data; name="' + escapeName(normalizeLines(name)) + '"';
    if (typeof value === "string") {
      parts.push(encoder.encode(head + "\r\n\r\n" + normalizeLines(value) + "\r\n"));
    } else {
      head += '; filename="' + escapeName(value.name) + '"\r\nContent-Type: ' + (value.type || "application/octet-stream") + "\r\n\r\n";
      parts.push(encoder.encode(head), new Uint8Array(await value.arrayBuffer()), encoder.encode("\r\n"));
    }
  }
  parts.push(encoder.encode("--" + mark + "--\r\n"));
  return concatBytes(parts);
}

function parameter(header, name) {
  const match = new RegExp(";\\s*" + name + '="([^"]*)"', "i").exec(header);
  return match === null ? undefined : match[1];
}

/** The entries of a multipart/form-data body, or a TypeError when it is not one. */
function decode(bytes, mark, FormData) {
  const text = binary(bytes);
  const delimiter = "--" + mark;
  const form = new FormData();
  let at = text.indexOf(delimiter);
  if (at === -1) throw new TypeError("Failed to parse body as FormData.");
  const decoder = new TextDecoder();
  for (;;) {
    at += delimiter.length;
    if (text.startsWith("--", at)) return form;
    if (!text.startsWith("\r\n", at)) throw new TypeError("Failed to parse body as FormData.");
    const headEnd = text.indexOf("\r\n\r\n", at + 2);
    const next = text.indexOf("\r\n" + delimiter, headEnd);
    if (headEnd === -1 || next === -1) throw new TypeError("Failed to parse body as FormData.");
    const headers = text.slice(at + 2, headEnd).split("\r\n");
    const disposition = headers.find((line) => /^content-disposition:/i.test(line));
    const typeLine = headers.find((line) => /^content-type:/i.test(line));
    const name = disposition === undefined ? undefined : parameter(disposition, "name");
    if (name === undefined) throw new TypeError("Failed to parse body as FormData.");
    const content = bytesOf(text.slice(headEnd + 4, next));
    const filename = parameter(disposition, "filename");
    const utf8 = (value) => decoder.decode(bytesOf(value));
    if (filename === undefined) form.append(utf8(name), decoder.decode(content));
    else form.append(utf8(name), new File([content], utf8(filename), { type: typeLine === undefined ? "" : typeLine.slice(typeLine.indexOf(":") + 1).trim() }));
    at = next + 2;
  }
}

module.exports = { boundary, encode, decode };
