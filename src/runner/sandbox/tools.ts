import type { ErrorTools } from "./errors.js";
import type { HostCall, ToolRefusal } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * callTool(name, args): arguments leave as a JSON string, the result comes back as a JSON string parsed
 * here, so no host object ever enters the sandbox. Failures are branded errors (TOOL_ERROR, ...).
 */
export function installTools(g: typeof globalThis, P: Primordials, host: HostCall, errors: ErrorTools, maxArgBytes: () => number) {
  interface Pending {
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }
  let pending = P.ObjectCreate(null) as Record<number, Pending | undefined>;

  function callTool(name: unknown, args?: unknown): Promise<unknown> {
    if (typeof name !== "string" || name.length === 0 || name.length > 256) {
      return P.PromiseReject(new P.TypeError("callTool(name, args): name must be a non-empty string"));
    }
    let json: string | undefined;
    const limit = maxArgBytes();
    const tooLarge = () => errors.raise("TOOL_ERROR", "ToolError", "tool arguments are larger than maxToolArgBytes (" + limit + ")");
    // A running lower bound of the text's size, as for return values (main.ts succeed): big arguments fail
    // early, and a typed array is refused before JSON lists a key per element (16 Mi of them: the hard stop).
    let room = limit;
    let big: Error | undefined;
    try {
      json =
        args === undefined
          ? undefined
          : P.JSONStringify(args, function (_key: string, v: unknown) {
              room -= P.jsonMinChars(v);
              if (room < 0) throw (big = tooLarge());
              return v;
            });
    } catch (error) {
      if (big !== undefined && error === big) return P.PromiseReject(big);
      return P.PromiseReject(errors.raise("TOOL_ERROR", "ToolError", "tool arguments are not JSON-serializable"));
    }
    // Length in UTF-16 units is a lower bound of the bytes: refuse big arguments before they are copied out.
    if (json !== undefined && json.length > limit) return P.PromiseReject(tooLarge());
    const id = host("tool", name, json === undefined ? "" : json);
    if (typeof id === "string") {
      // The host refused the call outright.
      const refusal = P.JSONParse(id) as ToolRefusal;
      return P.PromiseReject(errors.raise(refusal.code, refusal.code === "TOOL_ERROR" ? "ToolError" : "RuntimeError", refusal.message));
    }
    return new P.Promise((resolve, reject) => {
      const entry: Pending = P.ObjectCreate(null);
      entry.resolve = resolve;
      entry.reject = reject;
      pending[id as number] = entry;
    });
  }

  /** Settles a call whose reply the host pumped in. */
  function settle(id: number, ok: boolean, payload: string, code: string) {
    const entry = pending[id];
    if (!entry) return;
    pending[id] = undefined;
    if (ok) entry.resolve(payload === "" ? undefined : P.JSONParse(payload));
    else entry.reject(errors.raise(code || "TOOL_ERROR", code === "TOOL_ERROR" || !code ? "ToolError" : "RuntimeError", payload));
  }

  P.ObjectDefineProperty(g, "callTool", { value: callTool, writable: false, configurable: false, enumerable: false });
  return {
    settle,
    /** Calls of an ended invocation are never settled. */
    reset() {
      pending = P.ObjectCreate(null);
    },
  };
}
