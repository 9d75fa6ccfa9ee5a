import type { FailReport } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/** A thrown value read into plain data: what op "fail" carries to the worker (bridge.ts). */
type SandboxErrorInfo = FailReport;

/**
 * Errors the runtime raises inside the sandbox (tool failures, limits, missing modules) carry a code.
 * The brand lives in a closure-held WeakMap, so tenant code can neither forge nor strip it.
 * Also installs the stack formatter: only tenant frames, never host paths or internal frames.
 */
export function installErrors(
  g: typeof globalThis,
  P: Primordials,
  /**
   * The module id a script file name was compiled for in this invocation, or undefined: a frame is the
   * tenant's by the script it runs in, never by a file name a tenant could give one of its files.
   */
  tenantModuleOf: (script: string) => string | undefined,
  /** "line:column" of a frame in a module's wrapper as "line:column" in the tenant's own file (the transform moved text). */
  tenantPosition: (file: string, where: string) => string,
  /** Getters the runtime itself installed on intrinsics (harden's override-mistake accessors): safe to call. */
  trustedGetters: WeakMap<object, true>,
) {
  const brands = new P.WeakMap<object, SandboxErrorInfo>();
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const MAX_MESSAGE = 8192;
  /** A frame's function name is tenant text too (computed keys): bounded like FUNCTION_NOT_FOUND's name. */
  const MAX_FRAME_NAME = 200;

  function raise(code: string, name: string, text: string, details?: Record<string, unknown>): Error {
    // Branded errors cross to the host as they are (describe() returns them unclipped): bound them here.
    const message = clip(text);
    const error = new P.Error(message);
    P.ObjectDefineProperty(error, "name", { value: name, writable: true, configurable: true, enumerable: false });
    P.ObjectDefineProperty(error, "code", { value: code, writable: true, configurable: true, enumerable: false });
    const info: SandboxErrorInfo = P.ObjectCreate(null);
    info.code = code;
    info.name = name;
    info.message = message;
    if (details) info.details = details;
    P.WeakMapSet(brands, error, info);
    return error;
  }

  function clip(text: string): string {
    return text.length > MAX_MESSAGE ? P.StringPrototypeSlice(text, 0, MAX_MESSAGE) + "…" : text;
  }

  /** One level of a thrown non-Error object, bounded: `{"code":42,"detail":{…}}`, `[1,"a",…]`. */
  function preview(value: object): string {
    const short = (item: unknown): string => {
      if (typeof item === "string") return P.JSONStringify(item.length > 60 ? P.StringPrototypeSlice(item, 0, 60) + "…" : item);
      if (item === null || typeof item === "number" || typeof item === "boolean" || typeof item === "undefined") return P.String(item);
      if (typeof item === "function") return "[Function]";
      if (typeof item === "object") return P.ArrayIsArray(item) ? "[…]" : "{…}";
      return typeof item;
    };
    if (typeof value === "function") return "[Function]";
    const parts: string[] = [];
    if (P.ArrayIsArray(value)) {
      const items = value as unknown[];
      for (let i = 0; i < items.length && i < 8; i++) parts[parts.length] = short(items[i]);
      return "[" + P.ArrayPrototypeJoin(parts, ",") + (items.length > 8 ? ",…" : "") + "]";
    }
    const keys = P.ObjectKeys(value);
    for (let i = 0; i < keys.length && i < 8; i++) parts[parts.length] = short(keys[i]) + ":" + short((value as Record<string, unknown>)[keys[i]!]);
    return "{" + P.ArrayPrototypeJoin(parts, ",") + (keys.length > 8 ? ",…" : "") + "}";
  }

  /** Reads a thrown value into plain data. Getters and toString run here, inside the time limit. */
  function describe(thrown: unknown): SandboxErrorInfo {
    const info: SandboxErrorInfo = P.ObjectCreate(null);
    if ((typeof thrown === "object" && thrown !== null) || typeof thrown === "function") {
      const branded = P.WeakMapGet(brands, thrown) as SandboxErrorInfo | undefined;
      if (branded) return branded;
    }
    info.code = "RUNTIME_ERROR";
    try {
      if ((typeof thrown === "object" && thrown !== null) || typeof thrown === "function") {
        const record = thrown as { name?: unknown; message?: unknown; stack?: unknown };
        const name = record.name;
        const message = record.message;
        info.name = clip(P.String(name === undefined ? "Error" : name));
        const stack = record.stack;
        // A thrown plain object or array (`throw { code: 42 }`) has no message: say what was thrown, as a string throw does.
        info.message = clip(message !== undefined ? P.String(message) : typeof stack === "string" ? "" : "Uncaught " + preview(thrown));
        if (typeof stack === "string") {
          const details = P.ObjectCreate(null);
          details.stack = clip(stack);
          info.details = details;
        }
      } else {
        info.name = "Error";
        info.message = clip("Uncaught " + (typeof thrown === "string" ? thrown : P.String(thrown)));
      }
    } catch {
      info.name = "Error";
      info.message = "a thrown value could not be described";
    }
    return info;
  }

  interface CallSite {
    getFileName(): string | null | undefined;
    getLineNumber(): number | null;
    getColumnNumber(): number | null;
    getFunctionName(): string | null;
    isAsync?(): boolean;
  }

  /**
   * A property read without running tenant code: data properties only, found by walking the prototype
   * chain with descriptors (getters, Proxies and toString are never called; the formatter runs on host frames).
   */
  function plainString(object: unknown, key: string, fallback: string): string {
    let current = object;
    for (let depth = 0; depth < 32 && current !== null && (typeof current === "object" || typeof current === "function"); depth++) {
      const desc = getOwnPropertyDescriptor(current, key);
      if (desc) {
        let value: unknown;
        if ("value" in desc) value = desc.value;
        else if (desc.get && P.WeakMapHas(trustedGetters, desc.get)) value = P.apply(desc.get, object, []);
        else return fallback;
        return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? "" + value : fallback;
      }
      current = P.ObjectGetPrototypeOf(current);
    }
    return fallback;
  }

  /**
   * At most 10 frames, whatever an invocation set Error.stackTraceLimit to (harden.ts); the name, message and function names are
   * clipped, so a stack is bounded whatever the tenant names things (and costs no more than one slice each).
   */
  function formatStack(error: unknown, frames: CallSite[]): string {
    const name = clip(plainString(error, "name", "Error"));
    const message = clip(plainString(error, "message", ""));
    const head = message ? name + ": " + message : name;
    let out = head;
    for (let i = 0, shown = 0; i < frames.length && shown < 10; i++) {
      const frame = frames[i]!;
      const script = frame.getFileName();
      const file = typeof script === "string" ? tenantModuleOf(script) : undefined;
      if (file === undefined) continue;
      const rawName = frame.getFunctionName();
      const fn = typeof rawName === "string" && rawName.length > MAX_FRAME_NAME ? P.StringPrototypeSlice(rawName, 0, MAX_FRAME_NAME) + "…" : rawName;
      // A module's evaluation step (an import site) has no position of its own: the file alone, as Node prints.
      const line = frame.getLineNumber();
      const where = typeof line === "number" ? file + ":" + tenantPosition(file, line + ":" + frame.getColumnNumber()) : file;
      const prefix = frame.isAsync && frame.isAsync() ? "async " : "";
      out += "\n    at " + (fn ? prefix + fn + " (" + where + ")" : prefix + where);
      shown++;
    }
    return out;
  }

  // Locked: Node formats sandbox errors with the sandbox's Error.prepareStackTrace; whoever controls it
  // receives CallSites, host frames included. So the formatter is ours and cannot be replaced.
  P.ObjectDefineProperty(g.Error, "prepareStackTrace", { value: formatStack, writable: false, configurable: false, enumerable: false });
  P.ObjectDefineProperty(g, "Error", { value: g.Error, writable: false, configurable: false, enumerable: false });

  return { raise, describe };
}

export type ErrorTools = ReturnType<typeof installErrors>;
