import { installConsole } from "./console.js";
import { installEncoding } from "./encoding.js";
import { installErrors } from "./errors.js";
import { createModuleSystem, type ModuleSpec } from "./modules.js";
import { capturePrimordials, type HostCall } from "./primordials.js";
import { installStructuredClone } from "./structured-clone.js";
import { installTimers } from "./timers.js";
import { installTools } from "./tools.js";
import { installUrl } from "./url.js";

/** What the host sends before tenant code runs, as one JSON string. */
export interface InvocationSetup {
  entry: string;
  funcName: string;
  args: string;
  context: string;
  maxIterations: number;
  maxOutputBytes: number;
  modules: ModuleSpec[];
}

/**
 * Builds one tenant realm: hardens the global, installs the sandbox APIs, and returns the host's handle.
 * The handle's functions are called by the host only before any tenant code runs in this context; after
 * that the host enters only through `__tenantbox(op)` inside vm's timeout.
 */
export function sandboxMain(g: typeof globalThis, rawHost: HostCall) {
  const P = capturePrimordials(g);
  // Host calls never throw into the sandbox: a host-realm error object must not reach tenant code.
  const host: HostCall = (op, a, b) => {
    try {
      return rawHost(op, a, b);
    } catch {
      throw new P.RangeError("Maximum call stack size exceeded");
    }
  };

  for (const name of ["WebAssembly", "SharedArrayBuffer", "Atomics", "FinalizationRegistry", "console"]) {
    delete (g as unknown as Record<string, unknown>)[name];
  }

  const tenantFiles = P.ObjectCreate(null) as Record<string, true | undefined>;
  const errors = installErrors(g, P, (file) => tenantFiles[file] === true);
  let settled = false;
  let started = false;
  let setup: InvocationSetup | undefined;
  let iterations = 0;
  let iterationsTripped = false;

  function fail(thrown: unknown) {
    if (settled) return;
    settled = true;
    const info = errors.describe(thrown);
    host("fail", P.JSONStringify(info));
  }

  function succeed(value: unknown) {
    if (settled) return;
    if (value === undefined) {
      settled = true;
      host("done");
      return;
    }
    let budget = setup!.maxOutputBytes;
    let json: string | undefined;
    try {
      // The replacer keeps a running lower bound of the output size so a huge value fails early.
      json = P.JSONStringify(value, function (_key: string, v: unknown) {
        budget -= typeof v === "string" ? v.length + 3 : 4;
        if (P.ArrayIsArray(v)) budget -= v.length;
        if (budget < 0) throw errors.raise("OUTPUT_TOO_LARGE", "RangeError", "return value is larger than maxOutputBytes (" + setup!.maxOutputBytes + ")");
        return v;
      });
    } catch (error) {
      const info = errors.describe(error);
      if (info.code === "RUNTIME_ERROR") {
        const wrapped = errors.raise("RUNTIME_ERROR", "TypeError", "return value is not JSON-serializable: " + info.message);
        fail(wrapped);
      } else fail(error);
      return;
    }
    settled = true;
    // JSON.stringify returns undefined for a function or symbol: the caller gets undefined, as for a bare return.
    host("done", json === undefined ? undefined : json);
  }

  function tick() {
    if (++iterations <= setup!.maxIterations) return;
    if (!iterationsTripped) {
      iterationsTripped = true;
      host("fatal", "MAX_ITERATIONS", "loop iterations exceeded maxIterations (" + setup!.maxIterations + ")");
    }
    throw errors.raise("MAX_ITERATIONS", "RangeError", "loop iterations exceeded maxIterations (" + setup!.maxIterations + ")");
  }

  const modules = createModuleSystem(P, errors, tick);
  installConsole(g, P, host);
  const timers = installTimers(g, P, host, fail);
  const tools = installTools(g, P, host, errors);
  installEncoding(g, P);
  installStructuredClone(g, P);
  installUrl(g, P, host);

  function deepFreeze(value: unknown): unknown {
    if (value && typeof value === "object" && !P.ObjectIsFrozen(value)) {
      P.ObjectFreeze(value);
      const keys = P.ObjectKeys(value);
      for (let i = 0; i < keys.length; i++) deepFreeze((value as Record<string, unknown>)[keys[i]!]);
    }
    return value;
  }

  function run() {
    if (started || !setup) return;
    started = true;
    let result: unknown;
    try {
      const fn = modules.entryFunction(setup.entry, setup.funcName);
      const args = P.JSONParse(setup.args) as unknown[];
      result = P.apply(fn, undefined, args);
    } catch (error) {
      fail(error);
      return;
    }
    P.PromiseThen(P.PromiseResolve(result), succeed, fail);
  }

  function pump() {
    for (;;) {
      const event = host("next");
      if (typeof event !== "string") return;
      if (event[0] === "t") {
        timers.fire(P.Number(P.StringPrototypeSlice(event, 1)));
      } else if (event[0] === "r") {
        const reply = P.JSONParse(P.StringPrototypeSlice(event, 1)) as { id: number; ok: boolean; p: string; c: string };
        tools.settle(reply.id, reply.ok, reply.p, reply.c);
      }
    }
  }

  P.ObjectDefineProperty(g, "__tenantbox", {
    value: function (op: unknown) {
      if (op === "run") run();
      else if (op === "pump") pump();
    },
    writable: false,
    configurable: false,
    enumerable: false,
  });

  return {
    begin(json: string) {
      setup = P.JSONParse(json) as InvocationSetup;
      for (let i = 0; i < setup.modules.length; i++) {
        const spec = setup.modules[i]!;
        tenantFiles[spec.id] = true;
        if (spec.format === "json") modules.define(spec);
      }
      P.ObjectDefineProperty(g, "context", {
        value: deepFreeze(P.JSONParse(setup.context)),
        writable: false,
        configurable: false,
        enumerable: true,
      });
    },
    define(index: number, wrapper: (...args: unknown[]) => unknown) {
      modules.define(setup!.modules[index]!, wrapper);
    },
  };
}

export type SandboxHandle = ReturnType<typeof sandboxMain>;
