import type { Primordials } from "./primordials.js";

export interface SandboxErrorInfo {
  code: string;
  name: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Errors the runtime raises inside the sandbox (tool failures, limits, missing modules) carry a code.
 * The brand lives in a closure-held WeakMap, so tenant code can neither forge nor strip it.
 * Also installs the stack formatter: only tenant frames, never host paths or internal frames.
 */
export function installErrors(g: typeof globalThis, P: Primordials, isTenantFile: (file: string) => boolean) {
  const brands = new P.WeakMap<object, SandboxErrorInfo>();
  const MAX_MESSAGE = 8192;

  function raise(code: string, name: string, message: string, details?: Record<string, unknown>): Error {
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
        info.message = clip(P.String(message === undefined ? "" : message));
        const stack = record.stack;
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

  function formatStack(error: unknown, frames: CallSite[]): string {
    let head: string;
    try {
      const record = error as { name?: unknown; message?: unknown };
      const name = P.String(record.name === undefined ? "Error" : record.name);
      const message = P.String(record.message === undefined ? "" : record.message);
      head = message ? name + ": " + message : name;
    } catch {
      head = "Error";
    }
    let out = head;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const file = frame.getFileName();
      if (typeof file !== "string" || !isTenantFile(file)) continue;
      const fn = frame.getFunctionName();
      const where = file + ":" + frame.getLineNumber() + ":" + frame.getColumnNumber();
      const prefix = frame.isAsync && frame.isAsync() ? "async " : "";
      out += "\n    at " + (fn ? prefix + fn + " (" + where + ")" : prefix + where);
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
