import type { Primordials } from "./primordials.js";

/**
 * Symbol.for and Symbol.keyFor over a registry of the current invocation. The engine's registry is shared
 * by the whole isolate: it would let one invocation keep memory alive forever and hand tenants the symbols
 * Node itself registers (such as the one util.inspect calls methods by).
 */
export function installSymbolRegistry(g: typeof globalThis, P: Primordials) {
  const SymbolCtor = g.Symbol;
  let byKey = new P.Map<string, symbol>();
  let bySymbol = new P.Map<symbol, string>();

  const registry = {
    for(key: unknown): symbol {
      const name = P.String(key);
      let symbol = P.MapPrototypeGet(byKey, name) as symbol | undefined;
      if (symbol === undefined) {
        symbol = SymbolCtor(name);
        P.MapPrototypeSet(byKey, name, symbol);
        P.MapPrototypeSet(bySymbol, symbol, name);
      }
      return symbol;
    },
    keyFor(symbol: unknown): string | undefined {
      if (typeof symbol !== "symbol") throw new P.TypeError(P.String(symbol) + " is not a symbol");
      return P.MapPrototypeGet(bySymbol, symbol) as string | undefined;
    },
  };
  P.ObjectDefineProperty(SymbolCtor, "for", { value: registry.for, writable: true, configurable: true, enumerable: false });
  P.ObjectDefineProperty(SymbolCtor, "keyFor", { value: registry.keyFor, writable: true, configurable: true, enumerable: false });
  // Symbol.observable, defined before the realm is frozen, as the Observable ponyfills define it at load: with
  // Symbol frozen, symbol-observable 1.x (redux 4, rxjs 5: `Symbol.observable = result` in strict code), kefir
  // and baconjs failed at load ("Cannot add property observable, object is not extensible"). Finding it, they
  // use it, as they would after the first of them had run in Node; rxjs and redux, which only read it, use it too,
  // so their observables still interoperate. A symbol of the realm's own, the same in every invocation.
  P.ObjectDefineProperty(SymbolCtor, "observable", { value: SymbolCtor("Symbol.observable"), writable: false, configurable: false, enumerable: false });

  return {
    reset() {
      byKey = new P.Map();
      bySymbol = new P.Map();
    },
  };
}
