// WebIDL's pair iterables, as Headers and FormData have them: forEach, keys, values, entries and
// @@iterator (the same function as entries), over `readerOf(object)`, a function answering the pair at an
// index, or undefined past the end, read at each step (FormData's are live, Headers' read a sorted copy).
// Iterators are ES iterators (they inherit %IteratorPrototype%) tagged "<Name> Iterator", as in Node.
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

function iteratorClass(tag) {
  class PairIterator {
    #read;
    #kind;
    #index = 0;
    constructor(read, kind) {
      this.#read = read;
      this.#kind = kind;
    }
    next() {
      const pair = this.#read(this.#index);
      if (pair === undefined) return { value: undefined, done: true };
      this.#index++;
      return { value: this.#kind === "key" ? pair[0] : this.#kind === "value" ? pair[1] : [pair[0], pair[1]], done: false };
    }
  }
  Object.setPrototypeOf(PairIterator.prototype, IteratorPrototype);
  Object.defineProperty(PairIterator.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  return PairIterator;
}

/** Defines the pair-iterable methods on `Class.prototype` (as class methods are: not enumerable). */
function definePairIterable(Class, name, readerOf) {
  const Iterator = iteratorClass(name + " Iterator");
  const methods = {
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") throw new TypeError(name + ".forEach: the callback must be a function");
      const read = readerOf(this);
      for (let i = 0, pair; (pair = read(i)) !== undefined; i++) callback.call(thisArg, pair[1], pair[0], this);
    },
    keys() {
      return new Iterator(readerOf(this), "key");
    },
    values() {
      return new Iterator(readerOf(this), "value");
    },
    entries() {
      return new Iterator(readerOf(this), "key+value");
    },
  };
  for (const key of Object.keys(methods)) Object.defineProperty(Class.prototype, key, { value: methods[key], writable: true, configurable: true });
  Object.defineProperty(Class.prototype, Symbol.iterator, { value: methods.entries, writable: true, configurable: true });
}

/** `set` of both: `pair` takes the place of the first pair of its name, and the others of that name go. */
function withPairSet(list, pair) {
  const at = list.findIndex((entry) => entry[0] === pair[0]);
  if (at === -1) return [...list, pair];
  const copy = list.slice();
  copy[at] = pair;
  return copy.filter((entry, index) => index <= at || entry[0] !== pair[0]);
}

module.exports = { definePairIterable, withPairSet };
