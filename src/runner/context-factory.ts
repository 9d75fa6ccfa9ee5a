import vm from "node:vm";
import type { HostCall } from "./sandbox/primordials.js";
import type { SandboxHandle } from "./sandbox/main.js";
import { sandboxSource, SANDBOX_FILENAME } from "./sandbox/source.js";

/** The host side of one invocation's channel: the context's host function forwards here. */
export type HostHandler = (op: string, a: unknown, b: unknown) => string | number | undefined;

/** A hardened context, bootstrapped and waiting for exactly one invocation. */
export interface PreparedContext {
  global: object;
  handle: SandboxHandle;
  /** Connects the context's host channel to an invocation; until then every host call is ignored. */
  attach(handler: HostHandler): void;
  /** Disconnects it for good: late calls from a discarded context do nothing. */
  detach(): void;
  warm: boolean;
}

const CONTEXT_OPTIONS: vm.CreateContextOptions = {
  // Invariant 3: no eval, no Function(string), no WebAssembly compilation.
  codeGeneration: { strings: false, wasm: false },
  // Microtasks run inside runInContext, so the timeout covers promise loops too.
  microtaskMode: "afterEvaluate",
};

/**
 * Creates fresh contexts and keeps a few ready, refilled one per event-loop turn while the worker idles:
 * context creation (~0.3 ms) stays off the per-call path.
 */
export class ContextFactory {
  private readonly bootstrap = new vm.Script(sandboxSource(), { filename: SANDBOX_FILENAME });
  private readonly ready: PreparedContext[] = [];
  private refilling = false;

  constructor(private readonly target: number) {
    this.scheduleRefill();
  }

  take(): PreparedContext {
    const context = this.ready.pop() ?? this.create(false);
    this.scheduleRefill();
    return context;
  }

  private create(warm: boolean): PreparedContext {
    // DONT_CONTEXTIFY: the global is an ordinary object of the new realm, with no host object behind it
    // (a contextified host object would lend its host prototype chain to `this.constructor`).
    const global = vm.createContext(vm.constants.DONT_CONTEXTIFY, CONTEXT_OPTIONS) as object;
    let handler: HostHandler | undefined;
    const host: HostCall = (op, a, b) => {
      if (!handler || typeof op !== "string") return undefined;
      return handler(op, a, b);
    };
    const main = this.bootstrap.runInContext(global) as (host: HostCall) => SandboxHandle;
    const handle = main(host);
    return {
      global,
      handle,
      warm,
      attach(next) {
        handler = next;
      },
      detach() {
        handler = undefined;
      },
    };
  }

  private scheduleRefill(): void {
    if (this.refilling || this.ready.length >= this.target) return;
    this.refilling = true;
    setImmediate(() => {
      this.refilling = false;
      if (this.ready.length < this.target) {
        this.ready.push(this.create(true));
        this.scheduleRefill();
      }
    });
  }
}
