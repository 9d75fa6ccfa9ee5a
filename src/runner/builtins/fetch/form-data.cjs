// The XMLHttpRequest standard's FormData, without a form element: ordered entries of a name and either a
// string or a File (a Blob that is not one becomes a File named "blob"). Uses the realm's Blob and File.
const { usvString } = require("./byte-string.cjs");
const enumerableMembers = require("../shared/enumerable-members.cjs");
const { definePairIterable, withPairSet } = require("./iterator.cjs");

function entryValue(value, filename, withFilename, method) {
  if (!(value instanceof Blob)) {
    if (withFilename) throw new TypeError("FormData." + method + ": parameter 2 is not of type 'Blob'");
    return usvString(value);
  }
  if (value instanceof File && !withFilename) return value;
  const name = withFilename ? usvString(filename) : value instanceof File ? value.name : "blob";
  const options = { type: value.type };
  if (value instanceof File) options.lastModified = value.lastModified;
  return new File([value], name, options);
}

class FormData {
  #entries = [];

  constructor(form = undefined) {
    if (form !== undefined) throw new TypeError("FormData: there is no HTMLFormElement in the sandbox");
  }

  append(name, value, filename = undefined) {
    this.#entries.push([usvString(name), entryValue(value, filename, arguments.length > 2, "append")]);
  }

  delete(name) {
    const key = usvString(name);
    this.#entries = this.#entries.filter((entry) => entry[0] !== key);
  }

  get(name) {
    const key = usvString(name);
    const entry = this.#entries.find((pair) => pair[0] === key);
    return entry === undefined ? null : entry[1];
  }

  getAll(name) {
    const key = usvString(name);
    return this.#entries.filter((entry) => entry[0] === key).map((entry) => entry[1]);
  }

  has(name) {
    const key = usvString(name);
    return this.#entries.some((entry) => entry[0] === key);
  }

  set(name, value, filename = undefined) {
    this.#entries = withPairSet(this.#entries, [usvString(name), entryValue(value, filename, arguments.length > 2, "set")]);
  }

  // Live, as the standard's: entries added or removed while iterating are seen.
  static {
    definePairIterable(this, "FormData", (formData) => (index) => formData.#entries[index]);
  }
}
Object.defineProperty(FormData.prototype, Symbol.toStringTag, { value: "FormData", configurable: true });

enumerableMembers(FormData);

module.exports = FormData;
