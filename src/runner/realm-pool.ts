import v8 from "node:v8";
import vm from "node:vm";
import { REMOVED_GLOBALS, type HostCall, type HostHandler, type SandboxBootstrap, type SandboxHandle } from "./bridge.js";
import { sandboxSource, SANDBOX_FILENAME } from "./sandbox/source.js";
import { LAZY_GLOBALS } from "../loader/builtins.js";

/** A hardened realm (a node:vm context with frozen intrinsics) that serves one invocation at a time. */
export interface Realm {
  global: object;
  handle: SandboxHandle;
  /** Connects the realm's host channel to an invocation; detached, every host call is ignored. */
  attach(handler: HostHandler): void;
  detach(): void;
  /** Invocations served so far. */
  uses: number;
  /** Strict module wrappers made in this realm, by version hash (invocation.ts wrapperIn). */
  wrappers: Map<string, (...args: unknown[]) => unknown>;
}

const CONTEXT_OPTIONS: vm.CreateContextOptions = {
  // DESIGN.md invariant 3: no eval, no Function(string), no WebAssembly compilation.
  codeGeneration: { strings: false, wasm: false },
  // The realm's own microtask queue, drained inside each runInContext: promise jobs of one invocation
  // never run outside it.
  microtaskMode: "afterEvaluate",
};

/**
 * Keeps hardened realms ready. A realm whose invocation ended cleanly and whose global verified clean is
 * reused (fresh module instances and per-invocation state every time, frozen intrinsics in between);
 * anything else is dropped and replaced from the spares, which are refilled while the worker idles.
 */
export class RealmPool {
  private readonly bootstrap = new vm.Script(sandboxSource(), { filename: SANDBOX_FILENAME });
  /** Realms that served before and verified clean: their caches and inline caches are warm. */
  private readonly reusable: Realm[] = [];
  /** Freshly built realms, kept ready for when no reusable one is left. */
  private readonly spareRealms: Realm[] = [];
  private refilling = false;

  constructor(
    private readonly spares: number,
    private readonly stopFlags: Int32Array,
    private readonly maxUses: number,
  ) {
    this.scheduleRefill();
  }

  take(): Realm {
    const realm = this.reusable.pop() ?? this.spareRealms.pop() ?? this.create();
    realm.uses++;
    return realm;
  }

  /** Returns a realm after its invocation; `clean` says whether it may serve another one. */
  release(realm: Realm, clean: boolean): void {
    realm.detach();
    if (clean && realm.uses < this.maxUses && !this.heapIsHigh()) this.reusable.push(realm);
    this.scheduleRefill();
  }

  /**
   * A realm can hold memory no reset sees (private fields stamped onto frozen intrinsics through a
   * constructor's return override). When the worker's heap is more than half full, reused realms are
   * retired, so the garbage collector can take whatever they hold.
   */
  private heapIsHigh(): boolean {
    const { used_heap_size, heap_size_limit } = v8.getHeapStatistics();
    if (used_heap_size < heap_size_limit / 2) return false;
    this.reusable.length = 0;
    return true;
  }

  private create(): Realm {
    // DONT_CONTEXTIFY: the global is an ordinary object of the new realm with no host object behind it
    // (a contextified host object would lend its host prototype chain to `this.constructor`).
    const global = vm.createContext(vm.constants.DONT_CONTEXTIFY, CONTEXT_OPTIONS) as object;
    let handler: HostHandler | undefined;
    // The realm's one host function (invariant 1): primitives in and out; detached, it answers undefined.
    const host = ((op: unknown, a: unknown, b: unknown) => (handler ? handler(op, a, b) : undefined)) as HostCall;
    const main = this.bootstrap.runInContext(global) as SandboxBootstrap;
    return {
      global,
      handle: main(host, this.stopFlags, JSON.stringify(REMOVED_GLOBALS), JSON.stringify(LAZY_GLOBALS)),
      uses: 0,
      wrappers: new Map(),
      attach(next) {
        handler = next;
      },
      detach() {
        handler = undefined;
      },
    };
  }

  private scheduleRefill(): void {
    if (this.refilling || this.spareRealms.length >= this.spares) return;
    this.refilling = true;
    setImmediate(() => {
      this.refilling = false;
      if (this.spareRealms.length < this.spares) {
        this.spareRealms.push(this.create());
        this.scheduleRefill();
      }
    });
  }
}
