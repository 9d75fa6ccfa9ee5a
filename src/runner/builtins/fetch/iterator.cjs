// The iterators of Headers and FormData: ES iterators (they inherit %IteratorPrototype%) tagged
// "Headers Iterator" / "FormData Iterator" as in Node; `read(index)` answers the pair at that index, or
// undefined past the end, read at each step (FormData's are live, Headers' read a sorted copy).
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

module.exports = { iteratorClass };
