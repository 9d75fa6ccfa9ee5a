import type { ExecuteResult, RunRequest, SecurityLevel } from "../../../dist/index.js";

/**
 * One hostile module and what containment means for it.
 *
 * Sources are module text (CommonJS or ESM). They may use these placeholders, which the harness fills in
 * for the environment the case runs in (the real suite, or the naive runner in a child process):
 *   __PRELUDE__        the shared escape helpers below (loot, viaFunction, ...), with paths filled in
 *   __SECRET_FILE__    absolute path of the secret file outside every tenant folder
 *   __OTHER_SECRET__   absolute path of the secret file in another tenant's folder
 *   __TEMP_ROOT__      absolute path of the temp root (an escape would write "pwned" files there)
 *   __ENV_NAME__       name of the host environment variable that holds a secret
 */
export interface HostileCase {
  /** Unique inside the family, kebab-case. */
  id: string;
  title: string;
  source: string;
  /** File name of the module in the tenant folder (default main.js; main.mjs for `esm: true`). */
  file?: string;
  /** The source is an ES module (the naive runner, a CommonJS shim, skips it). */
  esm?: boolean;
  /** More files in the tenant folder (relative path -> text; placeholders allowed). */
  files?: Record<string, string>;
  funcName?: string;
  args?: unknown[];
  context?: unknown;
  /** Static rules level (default PERMISSIVE, so that the runtime layers are what gets tested). */
  level?: SecurityLevel;
  /** A runtime variant the family defines (e.g. "iterations" with maxIterations set). */
  variant?: string;
  /** Through which public API the case runs (default execute). */
  via?: "execute" | "emit";
  /** Overrides of the request (e.g. `file: "../outside.js"`); placeholders allowed in strings. */
  request?: Partial<RunRequest>;
  /** Extra setup before the "before" snapshot (symlinks, other folders). */
  setup?: (env: CaseEnv) => void;
  /** Per-call timeout in ms (default: the family's). */
  limitMs?: number;
  expect: CaseExpectation;
  /** State leaks: a second call after this one; it must see nothing of the first. */
  after?: HostileStep;
  /** Escape families: true when the naive vm runner does leak a secret with this module (checked). */
  naiveEscapes?: boolean;
  /** Leave the case out of the naive run (it would hang a runner without guards, or is not a module the shim runs). */
  naive?: false;
}

export interface HostileStep {
  title?: string;
  /** Module source for the second call (in its own tenant folder unless sameFolder). */
  source?: string;
  sameFolder?: boolean;
  file?: string;
  funcName?: string;
  args?: unknown[];
  context?: unknown;
  limitMs?: number;
  /** Wait this long (ms) before the second call (timers of the first call would have fired). */
  delayMs?: number;
  expect: CaseExpectation;
  /** Check the second call ran on a reused realm (so the test really exercises realm reuse). */
  expectReuse?: boolean;
  /** Runs after both calls, with the environment (e.g. to check the tool log). */
  check?: (env: CaseEnv, first: ExecuteResult, second: ExecuteResult) => void;
}

export interface CaseExpectation {
  /** "success", or the error codes that are acceptable (an array may also contain "success"). */
  codes: "success" | string[];
  /** Must return true for the value (success) — or a string explaining what is wrong. */
  valueCheck?: (value: unknown) => boolean | string;
  /** Checks the whole report (logs, error details); returns a message when something is wrong. */
  reportCheck?: (report: ExecuteResult) => string | undefined | void;
}

export interface CaseEnv {
  /** The case's tenant folder. */
  folder: string;
  /** The temp root (secrets, other tenant, every case folder). */
  root: string;
  /** A folder outside the tenant with modules and files a path escape would reach. */
  outside: string;
  /** Another tenant's folder. */
  otherTenant: string;
  secretFile: string;
  otherSecretFile: string;
  /** Every tool call so far: which folder, which tool, what arguments (JSON). */
  toolLog: { folder: string; name: string; args: string; at: number }[];
}

/** The marker every successful escape returns; built at runtime so it never appears in a source text. */
export const MARKER = ["ESC", "APED"].join("");

/**
 * Shared escape helpers, pasted into a module where `__PRELUDE__` stands. They never name a host global
 * directly (the strings are only compiled if code generation works), so the static rules at PERMISSIVE let
 * them through and the runtime layers are what stands in the way.
 */
export const PRELUDE = String.raw`
const MARK = ["ESC", "APED"].join("");
/** p: something that may be the host's process. Reads every secret it can and tries to write a file. */
function loot(p) {
  if (!p || (typeof p !== "object" && typeof p !== "function")) return "no-process:" + typeof p;
  let looksLikeProcess = false;
  try { looksLikeProcess = typeof p.getBuiltinModule === "function" || (typeof p.env === "object" && typeof p.pid === "number"); } catch (e) {}
  if (!looksLikeProcess) return "not-process:" + typeof p;
  const out = [MARK];
  try { out.push(String(p.env && p.env["__ENV_NAME__"])); } catch (e) { out.push("env-threw"); }
  try {
    const fs = typeof p.getBuiltinModule === "function" ? p.getBuiltinModule("fs") : p.mainModule.require("fs");
    try { out.push(fs.readFileSync("__SECRET_FILE__", "utf8")); } catch (e) { out.push("read-threw"); }
    try { out.push(fs.readFileSync("__OTHER_SECRET__", "utf8")); } catch (e) { out.push("read-other-threw"); }
    try { fs.writeFileSync("__TEMP_ROOT__/pwned-" + Math.random().toString(36).slice(2) + ".txt", "pwned"); out.push("wrote"); } catch (e) { out.push("write-threw"); }
  } catch (e) { out.push("fs-threw"); }
  return out.join("|");
}
/** F: something that may be a host Function constructor. */
function viaFunction(F) {
  if (typeof F !== "function") return "not-a-function:" + typeof F;
  let g;
  try { g = F("return globalThis")(); } catch (e) { return "blocked:" + (e && e.name); }
  const out = [];
  try { if (g && g.__HOST_SECRET !== undefined) out.push(MARK + "|" + String(g.__HOST_SECRET)); } catch (e) {}
  try { out.push(loot(F("return typeof process === 'undefined' ? undefined : process")())); } catch (e) { out.push("process-threw:" + (e && e.name)); }
  return out.join("|");
}
/** x: any object; walks its constructor chain (and its prototypes' chains) to a Function and tries it. */
function viaObject(x) {
  const out = [];
  let cur = x;
  for (let i = 0; i < 6 && cur !== null && cur !== undefined; i++) {
    try {
      const C = cur.constructor;
      out.push(viaFunction(C && C.constructor));
    } catch (e) { out.push("threw:" + (e && e.name)); }
    try { cur = Object.getPrototypeOf(Object(cur)); } catch (e) { break; }
  }
  return out.join(";");
}
`;
