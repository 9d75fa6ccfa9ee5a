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
  /** An invocation is running: only then may a tenant's stack hook run. */
  invocationActive: () => boolean,
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
    isConstructor?(): boolean;
    isToplevel?(): boolean;
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

  /** What a tenant may know of one of its own frames: primitives only, positions in its own file. */
  interface Site {
    file: string;
    line: number | null;
    column: number | null;
    fn: string | null;
    async: boolean;
    ctor: boolean;
    toplevel: boolean;
  }
  /** The realm's own CallSites (handed to a tenant's Error.prepareStackTrace) and what each stands for. */
  const sites = new P.WeakMap<object, Site>();

  /** One frame as a Site: a CallSite of ours as it is, V8's (or a forged one) read; undefined for a frame not the tenant's. */
  function siteOf(frame: CallSite): Site | undefined {
    if ((typeof frame === "object" && frame !== null) || typeof frame === "function") {
      const own = P.WeakMapGet(sites, frame) as Site | undefined;
      if (own) return own;
    }
    const script = frame.getFileName();
    const file = typeof script === "string" ? tenantModuleOf(script) : undefined;
    if (file === undefined) return undefined;
    const rawName = frame.getFunctionName();
    const site = P.ObjectCreate(null) as Site;
    site.file = file;
    site.fn = typeof rawName !== "string" || rawName === "" ? null : rawName.length > MAX_FRAME_NAME ? P.StringPrototypeSlice(rawName, 0, MAX_FRAME_NAME) + "…" : rawName;
    site.line = null;
    site.column = null;
    const line = frame.getLineNumber();
    // A module's evaluation step (an import site) has no position of its own.
    if (typeof line === "number") {
      const where = tenantPosition(file, line + ":" + frame.getColumnNumber());
      const colon = P.StringPrototypeIndexOf(where, ":");
      site.line = P.Number(colon < 0 ? where : P.StringPrototypeSlice(where, 0, colon));
      if (colon >= 0) site.column = P.Number(P.StringPrototypeSlice(where, colon + 1));
    }
    site.async = frame.isAsync ? frame.isAsync() === true : false;
    site.ctor = frame.isConstructor ? frame.isConstructor() === true : false;
    site.toplevel = frame.isToplevel ? frame.isToplevel() === true : false;
    return site;
  }

  function siteText(site: Site): string {
    const where = site.line === null ? site.file : site.file + ":" + site.line + ":" + site.column;
    const prefix = site.async ? "async " : "";
    return site.fn !== null ? prefix + site.fn + " (" + where + ")" : prefix + where;
  }

  /** Read through a realm CallSite: the Site behind `self`, or a TypeError for anything else. */
  function own(self: unknown): Site {
    const site = (typeof self === "object" && self !== null ? P.WeakMapGet(sites, self) : undefined) as Site | undefined;
    if (site === undefined) throw new P.TypeError("not a CallSite");
    return site;
  }
  /**
   * The CallSite API (V8's names) over a Site. What a frame cannot honestly say without handing over host
   * state answers as V8 does for a frame that has none: no receiver, no function, no type or method name.
   */
  const siteMethods = {
    getThis: (): undefined => undefined,
    getFunction: (): undefined => undefined,
    getTypeName: (): null => null,
    getMethodName: (): null => null,
    getEvalOrigin: (): undefined => undefined,
    isEval: (): boolean => false,
    isNative: (): boolean => false,
    isPromiseAll: (): boolean => false,
    getPromiseIndex: (): null => null,
    getFileName(this: unknown): string {
      return own(this).file;
    },
    getScriptNameOrSourceURL(this: unknown): string {
      return own(this).file;
    },
    getLineNumber(this: unknown): number | null {
      return own(this).line;
    },
    getColumnNumber(this: unknown): number | null {
      return own(this).column;
    },
    getFunctionName(this: unknown): string | null {
      return own(this).fn;
    },
    isAsync(this: unknown): boolean {
      return own(this).async;
    },
    isConstructor(this: unknown): boolean {
      return own(this).ctor;
    },
    isToplevel(this: unknown): boolean {
      return own(this).toplevel;
    },
    toString(this: unknown): string {
      return siteText(own(this));
    },
  };
  const siteProto = P.ObjectCreate(null) as Record<string, unknown>;
  const methodNames = P.ObjectKeys(siteMethods);
  for (let i = 0; i < methodNames.length; i++) {
    const name = methodNames[i]!;
    P.ObjectDefineProperty(siteProto, name, { value: P.ObjectFreeze((siteMethods as Record<string, unknown>)[name]), writable: false, enumerable: false, configurable: false });
  }
  P.ObjectFreeze(siteProto);

  /** Tenant frames a tenant's Error.prepareStackTrace is handed at most (V8 captured up to Error.stackTraceLimit). */
  const MAX_HOOK_FRAMES = 100;

  /** The frames as realm CallSites, the tenant's own only: a fresh array of frozen objects of ours. */
  function realmCallSites(frames: CallSite[]): object[] {
    const out: object[] = [];
    for (let i = 0; i < frames.length && out.length < MAX_HOOK_FRAMES; i++) {
      const site = siteOf(frames[i]!);
      if (site === undefined) continue;
      const callSite = P.ObjectCreate(siteProto) as object;
      P.WeakMapSet(sites, callSite, site);
      out[out.length] = P.ObjectFreeze(callSite);
    }
    return out;
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
      const site = siteOf(frames[i]!);
      if (site === undefined) continue;
      out += "\n    at " + siteText(site);
      shown++;
    }
    return out;
  }

  /**
   * The Error.prepareStackTrace a library set for this invocation (depd reads its callers' files this way),
   * and whether it is running now (a stack read or capture inside it gets the runtime's format).
   */
  let stackHook: unknown;
  let inHook = false;
  /** The object Error.captureStackTrace is formatting for a hook, and the realm CallSites of its frames. */
  let capturing: object | undefined;
  let captured: object[] | undefined;

  /**
   * What Node calls for a realm error's first `stack` read, with V8's CallSites (host frames among them): the
   * runtime's format, always. No tenant code runs in here: while V8 formats a stack, every stack read made
   * meanwhile gets V8's own text of every frame, host paths included (red team), so the hook is called by
   * Error.captureStackTrace afterwards, with the realm CallSites this kept for it.
   */
  // An arrow, frozen: no `prototype` object for tenants to write to (the walk in harden.ts does not reach it).
  const prepareStackTrace = (error: unknown, frames: CallSite[]): string => {
    if (capturing === undefined || error !== capturing) return formatStack(error, frames);
    // Formatted from the realm CallSites kept for the hook: each frame's position is asked of the host once.
    captured = realmCallSites(frames);
    return formatStack(error, captured as CallSite[]);
  };
  P.ObjectFreeze(prepareStackTrace);

  // Node formats sandbox errors with the sandbox's Error.prepareStackTrace: reading it always gives the
  // runtime's function, so no one but the runtime receives V8's CallSites. Assigning it sets the hook
  // (assigning the runtime's function back, as libraries restore what they read, clears it).
  P.ObjectDefineProperty(g.Error, "prepareStackTrace", {
    get() {
      return prepareStackTrace;
    },
    set(value: unknown) {
      stackHook = value === prepareStackTrace ? undefined : value;
    },
    enumerable: false,
    configurable: false,
  });

  /**
   * Error.captureStackTrace with the hook applied: V8 captures, the runtime formats (keeping the frames as
   * realm CallSites), and then, with V8 done, the hook makes `target.stack` of them, as Node would on the
   * first read. `new Error().stack` keeps the runtime's format whatever the hook (it is formatted inside
   * V8's read, where no tenant code may run).
   */
  const v8CaptureStackTrace = g.Error.captureStackTrace;
  const captureStackTrace = (target: object, constructorOpt?: unknown): void => {
    // Frames from the caller's on, as V8 gives them when called directly (this function's own frame left out).
    P.apply(v8CaptureStackTrace, g.Error, [target, constructorOpt === undefined ? captureStackTrace : constructorOpt]);
    const hook = stackHook;
    if (typeof hook !== "function" || inHook || !invocationActive()) return;
    capturing = target;
    captured = undefined;
    try {
      // V8's own accessor, just installed on `target`: formatted by prepareStackTrace above, no tenant code.
      void (target as { stack?: unknown }).stack;
    } finally {
      capturing = undefined;
    }
    const callSites = captured;
    captured = undefined;
    if (callSites === undefined) return;
    inHook = true;
    let value: unknown;
    try {
      value = P.apply(hook as (...args: unknown[]) => unknown, g.Error, [target, callSites]);
    } finally {
      inHook = false;
    }
    P.ObjectDefineProperty(target, "stack", { value, writable: true, enumerable: false, configurable: true });
  };
  P.ObjectFreeze(captureStackTrace);
  P.ObjectDefineProperty(g.Error, "captureStackTrace", { value: captureStackTrace, writable: false, enumerable: false, configurable: false });
  P.ObjectDefineProperty(g, "Error", { value: g.Error, writable: false, configurable: false, enumerable: false });

  /** Drops the invocation's hook: nothing of one call's library state reaches the next. */
  function resetStackHook(): void {
    stackHook = undefined;
    inHook = false;
    capturing = undefined;
    captured = undefined;
  }

  return { raise, describe, resetStackHook };
}

export type ErrorTools = ReturnType<typeof installErrors>;
