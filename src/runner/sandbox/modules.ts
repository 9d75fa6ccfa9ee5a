import type { ErrorTools } from "./errors.js";
import type { ModuleSpec } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * A fresh module instance table per invocation: CommonJS (require/module.exports, cycles as Node does
 * them) and transformed ES modules (namespace objects with live getters), over wrappers the host
 * evaluated from cached compiled scripts.
 */
export function createModuleSystem(
  P: Primordials,
  errors: ErrorTools,
  guards: [budget: object, enter: () => void, loop: () => void, routeFunction: unknown, scopeOf: unknown, tick: () => void],
  /** Built-in modules the realm builds itself (node:process), by id. */
  realmBuiltins: Record<string, () => unknown>,
  /** One step of the realm's own per-item loops: reads the invocation's clock every 65,536 (main.ts). */
  step: () => void,
) {
  interface Instance {
    exports: unknown;
    namespace?: Record<string, unknown>;
    /** require(esm)'s view of the namespace (requireView). */
    requireView?: Record<string, unknown>;
    esm: boolean;
    /** An ES module whose body ran to its end: its namespace holds every name it exports (`export *` too). */
    linked?: boolean;
    /** Names two of its `export *` sources export as different bindings: left out of its namespace, as in Node. */
    ambiguous?: Record<string, true>;
  }
  const specs = P.ObjectCreate(null) as Record<string, ModuleSpec | undefined>;
  const wrappers = P.ObjectCreate(null) as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  /**
   * ES module namespaces' exports that are another module's binding (exportsApi.via, and the names star() bound):
   * name -> [namespace, name there].
   */
  const vias = new P.WeakMap() as WeakMap<object, Record<string, [object, string]>>;
  function viaTable(ns: object): Record<string, [object, string]> {
    let table = P.WeakMapGet(vias, ns) as Record<string, [object, string]> | undefined;
    if (table === undefined) {
      table = P.ObjectCreate(null) as Record<string, [object, string]>;
      P.WeakMapSet(vias, ns, table);
    }
    return table;
  }
  /** The namespace and name a binding is defined in, its re-exports followed (a chain of them is bounded). */
  function bindingOf(ns: object, name: string): [object, string] {
    let at: object = ns;
    let bound = name;
    for (let hops = 0; hops < 256; hops++) {
      step();
      const table = P.WeakMapGet(vias, at) as Record<string, [object, string]> | undefined;
      if (table === undefined || !P.ObjectHasOwn(table, bound)) break;
      const next = table[bound]!;
      at = next[0];
      bound = next[1];
    }
    return [at, bound];
  }
  const instances = P.ObjectCreate(null) as Record<string, Instance | undefined>;

  function define(spec: ModuleSpec, wrapper?: (...args: unknown[]) => unknown) {
    specs[spec.id] = spec;
    if (wrapper) wrappers[spec.id] = wrapper;
  }

  const requireCache = P.ObjectCreate(null) as Record<string, unknown>;
  const requireExtensions = P.ObjectCreate(null) as Record<string, unknown>;
  const noHandler = function (): never {
    throw new P.Error("require.extensions handlers load no files here");
  };
  requireExtensions[".js"] = noHandler;
  requireExtensions[".json"] = noHandler;
  requireExtensions[".node"] = noHandler;

  function notFound(message: string): Error {
    return errors.raise("MODULE_NOT_FOUND", "Error", message);
  }

  function resolveFrom(fromId: string, specifier: unknown): string {
    if (typeof specifier !== "string") throw new P.TypeError("module specifier must be a string");
    const spec = specs[fromId]!;
    let dep = P.ObjectHasOwn(spec.deps, specifier) ? spec.deps[specifier] : undefined;
    if (!dep) {
      const spelled = ownDirectorySpelling(fromId, specifier);
      if (spelled !== undefined && P.ObjectHasOwn(spec.deps, spelled)) dep = spec.deps[spelled];
    }
    if (!dep) throw notFound('cannot find module "' + specifier + '"');
    if ("error" in dep) throw notFound(dep.error);
    return dep.id;
  }

  /**
   * A path a module computed from its own directory (`require(__dirname + "/reserved.js")`,
   * `require(path.join(__dirname, "../package.json"))`) as the relative specifier the loader recorded for that
   * spelling (require-context.ts, requireOwnDirectorySpecifier: "./reserved.js", "../package.json"). Node's
   * `__dirname` is absolute; here the tenant folder is "/" and `__dirname` is the module's directory in it, so a
   * path counts when it starts with "/" (path.resolve's) or with the first segment of that directory
   * (`path.join(__dirname, "..", "package.json")` from node_modules/own/lib is "node_modules/own/package.json"),
   * never a bare name. Only asked when the specifier itself is not a dependency: a require that resolves costs
   * nothing more, and a spelling counts only when the loader recorded it.
   */
  function ownDirectorySpelling(fromId: string, specifier: string): string | undefined {
    if (specifier.length === 0 || specifier.length > 4096) return undefined;
    const dir = dirname(fromId);
    let target = specifier;
    if (P.StringPrototypeCharCodeAt(target, 0) === 47) target = P.StringPrototypeSlice(target, 1);
    const segments = P.StringPrototypeSplit(target, "/");
    const from = dir === "." ? [] : P.StringPrototypeSplit(dir, "/");
    if (target === specifier && (from.length === 0 || segments[0] !== from[0])) return undefined;
    const to: string[] = [];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment === "" || segment === ".") continue;
      if (segment !== "..") to[to.length] = segment;
      else if (to.length > 0) to.length--;
      else return undefined;
    }
    let common = 0;
    while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
    const out: string[] = [];
    for (let i = common; i < from.length; i++) out[out.length] = "..";
    for (let i = common; i < to.length; i++) out[out.length] = to[i]!;
    if (out.length === 0) return undefined;
    return out[0] === ".." ? P.ArrayPrototypeJoin(out, "/") : "./" + P.ArrayPrototypeJoin(out, "/");
  }

  function dirname(id: string): string {
    let slash = -1;
    for (let i = id.length - 1; i >= 0; i--) {
      if (P.StringPrototypeCharCodeAt(id, i) === 47) {
        slash = i;
        break;
      }
    }
    return slash < 0 ? "." : P.StringPrototypeSlice(id, 0, slash);
  }

  /**
   * The own keys a CommonJS module's exports lend an import's namespace or a FUNCTION_NOT_FOUND list: none of an
   * array or typed array (as Node's export detection finds none). Object.keys of one makes a string per element
   * in one call: `module.exports = new Uint8Array(2 ** 24)` imported, or an 8 Mi-element array asked for a
   * function it lacks, ran to the hard stop or out of memory.
   */
  function exportKeys(exports: object): string[] {
    return P.ArrayIsArray(exports) || P.ArrayBuffer.isView(exports) ? [] : P.ObjectKeys(exports);
  }

  function namespaceOf(instance: Instance): Record<string, unknown> {
    if (instance.namespace) return instance.namespace;
    // CommonJS seen from an import: default is module.exports, named exports are its own keys.
    const exports = instance.exports;
    const ns = P.ObjectCreate(null) as Record<string, unknown>;
    if ((typeof exports === "object" && exports !== null) || typeof exports === "function") {
      const keys = exportKeys(exports as object);
      for (let i = 0; i < keys.length; i++) {
        step();
        ns[keys[i]!] = (exports as Record<string, unknown>)[keys[i]!];
      }
    }
    ns.default = exports;
    instance.namespace = ns;
    return ns;
  }

  /**
   * A module's `import(specifier)` (the transform rewrites every one to a call of this): the namespace of one of
   * the module's validated dependencies, loaded in a job of its own as import() does, or a rejection (an
   * unresolved specifier: MODULE_NOT_FOUND; a module that throws: its error).
   */
  function dynamicImportOf(id: string): (specifier: unknown) => Promise<unknown> {
    return function (specifier: unknown) {
      return P.PromiseThen(P.PromiseResolve(undefined), function () {
        return namespaceOf(load(resolveFrom(id, typeof specifier === "string" ? specifier : P.String(specifier))));
      });
    };
  }

  /**
   * What require(esm) returns, as Node 22.12+ has it: a namespace with a default export (and no `__esModule` of
   * its own) comes with `__esModule: true`, so that compiled CommonJS (TypeScript's and Babel's
   * `__importDefault`) takes its default export as the default, not the namespace. The names forward to the
   * namespace's live bindings. Made once the module has run (a module still running in a cycle: its namespace).
   */
  function requireView(target: Instance, ns: Record<string, unknown>): Record<string, unknown> {
    if (target.requireView) return target.requireView;
    if (!target.linked || !P.ObjectHasOwn(ns, "default") || P.ObjectHasOwn(ns, "__esModule")) return ns;
    const view = P.ObjectCreate(null) as Record<string, unknown>;
    // In code-unit order, as a namespace's keys are in Node.
    const names = P.ObjectKeys(ns);
    names[names.length] = "__esModule";
    P.ArrayPrototypeSort(names);
    for (let i = 0; i < names.length; i++) {
      step();
      const name = names[i]!;
      if (name === "__esModule") P.ObjectDefineProperty(view, name, { value: true, writable: true, enumerable: true, configurable: false });
      else P.ObjectDefineProperty(view, name, { get: () => ns[name], enumerable: true, configurable: false });
    }
    P.ObjectDefineProperty(view, Symbol.toStringTag, { value: "Module", writable: false, enumerable: false, configurable: false });
    P.ObjectPreventExtensions(view);
    target.requireView = view;
    return view;
  }

  function load(id: string): Instance {
    const existing = instances[id];
    if (existing) return existing;
    const spec = specs[id];
    if (!spec && P.ObjectHasOwn(realmBuiltins, id)) {
      const built: Instance = P.ObjectCreate(null);
      built.esm = false;
      built.exports = realmBuiltins[id]!();
      instances[id] = built;
      return built;
    }
    if (!spec) throw notFound('cannot find module "' + id + '"');
    const instance: Instance = P.ObjectCreate(null);
    instance.esm = spec.format === "esm";
    instances[id] = instance;
    if (spec.format === "json") {
      instance.exports = P.JSONParse(spec.json!);
      return instance;
    }
    const wrapper = wrappers[id]!;
    if (spec.format === "cjs") {
      const module = { exports: {} as unknown, id, filename: id, loaded: false };
      instance.exports = module.exports;
      const require = function require(specifier: unknown) {
        const target = load(resolveFrom(id, specifier));
        if (!target.esm) return target.exports;
        // require(esm) as Node 22+ has it: the namespace, or its "module.exports" export when it has one.
        const ns = target.namespace!;
        return P.ObjectHasOwn(ns, "module.exports") ? ns["module.exports"] : requireView(target, ns);
      };
      // As in Node, with the tenant folder as the file system's root (process.cwd() is "/").
      require.resolve = function resolve(specifier: unknown): string {
        const target = resolveFrom(id, specifier);
        return specs[target] !== undefined && P.StringPrototypeSlice(target, 0, 5) === "node:" ? P.StringPrototypeSlice(target, 5) : "/" + target;
      };
      // Node's shared tables, inert here: a handler assigned (art-template's `require.extensions[".art"] = ...`)
      // loads nothing, a cache entry deleted or added changes no load; no module is the process's main one.
      require.extensions = requireExtensions;
      require.cache = requireCache;
      require.main = undefined;
      // Cycles see the partial exports, as in Node: read module.exports whenever it is asked for.
      P.ObjectDefineProperty(instance, "exports", { get: () => module.exports, enumerable: true, configurable: true });
      // The guards, once (transform.ts TAKE_GUARDS): a second call of the wrapper gets none. With 1: the module's
      // import() (a module that has one asks for it), once too: the take is reachable from sloppy library code
      // through .caller, and another module's import would resolve that module's dependencies.
      let taken = false;
      let importTaken = false;
      const take = function (what?: number) {
        if (what === 1) {
          if (importTaken) return null;
          importTaken = true;
          return dynamicImportOf(id);
        }
        if (taken) return null;
        taken = true;
        return guards;
      };
      P.apply(wrapper, module.exports, [module.exports, require, module, id, dirname(id), take]);
      module.loaded = true;
      return instance;
    }
    const ns = P.ObjectCreate(null) as Record<string, unknown>;
    instance.namespace = ns;
    instance.exports = ns;
    const exportsApi = {
      define(getters: Record<string, () => unknown>) {
        const names = P.ObjectKeys(getters);
        for (let i = 0; i < names.length; i++) {
          P.ObjectDefineProperty(ns, names[i]!, { get: getters[names[i]!], enumerable: true, configurable: false });
        }
      },
      /** Names an anonymous default export "default" (it was bound to the runtime's own variable). */
      name(value: unknown) {
        if (typeof value === "function" && (value as { name?: unknown }).name === "__tenantbox_default") {
          P.ObjectDefineProperty(value, "name", { value: "default", configurable: true });
        }
      },
      /** The module's import() (a module that has one reads it once, in its header). */
      dynamicImport: dynamicImportOf(id),
      /**
       * Names this module exports as another module's binding (`export { x } from`, an imported name exported):
       * [exported, source namespace, name there]. star() follows them.
       */
      via(entries: [string, Record<string, unknown>, string][]) {
        const table = viaTable(ns);
        for (let i = 0; i < entries.length; i++) {
          step();
          const entry = entries[i]!;
          table[entry[0]] = [entry[1], entry[2]];
        }
      },
      /**
       * The module's `export *` sources, all at once (after its own exports): a name two of them export as
       * different bindings is ambiguous and left out, as Node leaves it out (an import of it is a SyntaxError);
       * the same binding reached twice (two modules that both `export *` a third, or re-export its name) is one.
       * A binding is the module namespace and name it is finally defined in (bindingOf), as Node's ResolveExport.
       */
      star(sources: Record<string, unknown>[]) {
        const found = P.ObjectCreate(null) as Record<string, { get: (() => unknown) | undefined; source: Record<string, unknown>; at: object; name: string } | null>;
        const names: string[] = [];
        for (let s = 0; s < sources.length; s++) {
          const source = sources[s]!;
          const keys = P.ObjectKeys(source);
          for (let i = 0; i < keys.length; i++) {
            step();
            const name = keys[i]!;
            if (name === "default" || P.ObjectHasOwn(ns, name)) continue;
            const prior = found[name];
            if (prior === null) continue;
            const [at, bound] = bindingOf(source, name);
            if (prior === undefined) {
              const own = P.ObjectGetOwnPropertyDescriptor(source, name);
              const get = own !== undefined && typeof own.get === "function" ? (own.get as () => unknown) : undefined;
              found[name] = { get, source, at, name: bound };
              names[names.length] = name;
            } else if (prior.at !== at || prior.name !== bound) {
              found[name] = null;
            }
          }
        }
        let table: Record<string, [object, string]> | undefined;
        for (let i = 0; i < names.length; i++) {
          const name = names[i]!;
          const binding = found[name]!;
          if (binding === null) {
            (instance.ambiguous ??= P.ObjectCreate(null) as Record<string, true>)[name] = true;
            continue;
          }
          const source = binding.source;
          P.ObjectDefineProperty(ns, name, { get: binding.get ?? (() => source[name]), enumerable: true, configurable: false });
          (table ??= viaTable(ns))[name] = [binding.at, binding.name];
        }
      },
    };
    const importFn = (specifier: unknown, names?: unknown) => {
      const target = load(resolveFrom(id, specifier));
      // Node refuses at link time an import of a name an ES module does not export. A module still running
      // (a cycle) is not checked: its `export *` names may not be there yet. CommonJS lends whatever keys it has.
      if (target.linked && P.ArrayIsArray(names)) {
        for (let i = 0; i < names.length; i++) {
          step();
          if (!P.ObjectHasOwn(target.namespace!, names[i])) {
            if (target.ambiguous !== undefined && P.ObjectHasOwn(target.ambiguous, names[i])) {
              throw new P.SyntaxError("The requested module '" + P.String(specifier) + "' contains conflicting star exports for name '" + P.String(names[i]) + "'");
            }
            throw new P.SyntaxError("The requested module '" + P.String(specifier) + "' does not provide an export named '" + P.String(names[i]) + "'");
          }
        }
      }
      return namespaceOf(target);
    };
    P.ObjectDefineProperty(ns, Symbol.toStringTag, { value: "Module", writable: false, enumerable: false, configurable: false });
    P.apply(wrapper, undefined, [importFn, exportsApi, guards[0], guards[1], guards[2], guards[3], guards[4], guards[5]]);
    // A module namespace is not extensible: nothing can add exports to it afterwards.
    P.ObjectPreventExtensions(ns);
    instance.linked = true;
    return instance;
  }

  /** The function to call: a named export, or `default` (for CommonJS, module.exports when it is a function). */
  function entryFunction(entryId: string, funcName: string): (...args: unknown[]) => unknown {
    const instance = load(entryId);
    const exports = instance.exports as Record<string, unknown> | ((...args: unknown[]) => unknown);
    let fn: unknown;
    if (instance.esm) {
      fn = P.ObjectHasOwn(exports as object, funcName) ? (exports as Record<string, unknown>)[funcName] : undefined;
    } else if (funcName === "default" && typeof exports === "function") {
      fn = exports;
    } else if ((typeof exports === "object" && exports !== null) || typeof exports === "function") {
      fn = P.ObjectHasOwn(exports, funcName) ? (exports as Record<string, unknown>)[funcName] : undefined;
    }
    if (typeof fn !== "function") {
      let available: string[] = [];
      try {
        if ((typeof exports === "object" && exports !== null) || typeof exports === "function") {
          const keys = exportKeys(exports);
          let total = 0;
          for (let i = 0; i < keys.length && i < 50 && total < 4096; i++) {
            const key = keys[i]!;
            if (typeof (exports as Record<string, unknown>)[key] !== "function") continue;
            const shown = key.length > 200 ? P.StringPrototypeSlice(key, 0, 200) + "…" : key;
            total += shown.length;
            available[available.length] = shown;
          }
        }
        if (!instance.esm && typeof exports === "function") available[available.length] = "default";
      } catch {
        available = [];
      }
      const details = P.ObjectCreate(null);
      details.exports = available;
      const name = funcName.length > 200 ? P.StringPrototypeSlice(funcName, 0, 200) + "…" : funcName;
      throw errors.raise("FUNCTION_NOT_FOUND", "Error", 'module "' + entryId + '" does not export a function "' + name + '"', details);
    }
    return fn as (...args: unknown[]) => unknown;
  }

  /** A lazy global's value (node-globals.ts): the invocation's instance of a built-in, or undefined when its graph has none. */
  function builtin(id: string, exportName: string): unknown {
    if (!specs[id] && !P.ObjectHasOwn(realmBuiltins, id)) return undefined;
    const exports = load(id).exports as Record<string, unknown>;
    return exportName === "" ? exports : exports[exportName];
  }

  return { define, entryFunction, builtin };
}
