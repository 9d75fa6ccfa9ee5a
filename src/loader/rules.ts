import type * as acorn from "acorn";
import type { SecurityLevel } from "../security-levels.js";
import { REMOVED_GLOBALS } from "../runner/bridge.js";
import type { ModuleFormat } from "./parse.js";

/**
 * A static rule. `errorFrom` is the lowest level at which a finding is an error; below it the finding is a
 * warning from `warnFrom` on, and silent under that. Every rule is documented in the README's table.
 */
export interface Rule {
  id: string;
  errorFrom: SecurityLevel;
  warnFrom?: SecurityLevel;
  why: string;
}

export const RULES = {
  "no-eval": { id: "no-eval", errorFrom: "PERMISSIVE", why: "code generation from strings is how sandboxed code reaches a fresh scope" },
  "no-function-constructor": { id: "no-function-constructor", errorFrom: "PERMISSIVE", why: "Function(...) is eval by another name" },
  "no-with": { id: "no-with", errorFrom: "PERMISSIVE", why: "with makes every name lookup depend on a runtime object" },
  "no-dynamic-import": { id: "no-dynamic-import", errorFrom: "PERMISSIVE", why: "import() of a computed specifier loads code the validator never saw (a literal one joins the module graph, resolved and validated with it)" },
  "no-import-meta": { id: "no-import-meta", errorFrom: "PERMISSIVE", why: "import.meta describes the host's module system" },
  "no-reserved-identifier": { id: "no-reserved-identifier", errorFrom: "PERMISSIVE", why: "__tenantbox* names belong to the runtime's own wiring" },
  "static-require": { id: "static-require", errorFrom: "PERMISSIVE", why: "the module graph is resolved and validated before anything runs" },
  "no-string-timer": { id: "no-string-timer", errorFrom: "PERMISSIVE", why: "setTimeout('code') is eval" },
  "no-html-comment": { id: "no-html-comment", errorFrom: "PERMISSIVE", why: "<!-- starts a comment in the script grammar the engine compiles but is code in an ES module: the two would read different programs (a postfix --> reads the same in both)" },
  "no-module-arguments": { id: "no-module-arguments", errorFrom: "PERMISSIVE", why: "at module level, arguments would expose the runtime's module wrapper parameters" },
  "no-top-level-await": { id: "no-top-level-await", errorFrom: "PERMISSIVE", why: "ES modules are evaluated synchronously here; await inside the exported function instead" },
  "no-catastrophic-regex": { id: "no-catastrophic-regex", errorFrom: "STRICT", warnFrom: "PERMISSIVE", why: "nested quantifiers such as (a+)+ backtrack exponentially (ReDoS); only worker termination stops them" },
  "no-constructor-chain": { id: "no-constructor-chain", errorFrom: "STANDARD", warnFrom: "PERMISSIVE", why: "x.constructor.constructor is the shape of nearly every sandbox escape" },
  "no-stack-tricks": { id: "no-stack-tricks", errorFrom: "STANDARD", warnFrom: "PERMISSIVE", why: "prepareStackTrace, captureStackTrace, caller and callee expose frames and functions" },
  "no-host-globals": { id: "no-host-globals", errorFrom: "SECURE", warnFrom: "STANDARD", why: "WebAssembly, SharedArrayBuffer, Atomics and friends do not exist here; using them signals an escape attempt" },
  "no-proto": { id: "no-proto", errorFrom: "SECURE", warnFrom: "STANDARD", why: "__proto__ rewires prototype chains" },
  "no-reflection": { id: "no-reflection", errorFrom: "STRICT", why: "Proxy, Reflect and prototype surgery are what escape gadgets are built from" },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/**
 * The issues that do not come from the rule walk: the pre-scan, the parser, the loader's limits, the
 * manifest, the scoring gate. Each is an error at every level unless its issue says otherwise.
 */
export const FILE_RULES = {
  syntax: { why: "the file does not parse (JSON files: not valid JSON)" },
  typescript: { why: "TypeScript syntax type stripping cannot erase in place (enum, namespace, parameter properties): it would move the code's positions" },
  "max-module-size": { why: "the file is larger than the level's (or maxModuleBytes') limit; refused before it is read" },
  "max-nesting-depth": { why: "brackets nested deeper than the level allows, or code too deeply nested to analyze" },
  "no-bidi-characters": { why: "bidirectional control characters make code read differently than it runs (Trojan source)" },
  "max-specifiers": { why: "a module requires or imports more than 500 different modules" },
  "max-issues": { why: "more than 100 issues: the rest are counted, not listed" },
  limit: { why: "checking the file took longer than loaderTimeout or more memory than loaderMemoryLimitMb" },
  "not-a-file": { why: "a FIFO, a device, a symbolic link swapped in, or a file with more than one hard link where a tenant file was expected" },
  manifest: { why: "a problem of tenantbox.json: its schema, or a handler's module or function" },
  scoring: { why: "the scoring gate's warning (layer 3)" },
  "read-error": { why: "a directory `tenantbox check` cannot read" },
} as const satisfies Record<string, { why: string }>;

/** Every rule an issue can name. */
export type IssueRule = RuleId | keyof typeof FILE_RULES;

export interface Finding {
  rule: RuleId;
  message: string;
  node: acorn.Node;
  /** The property a no-stack-tricks finding is about (library-profile.ts allows some). */
  name?: string;
}

/**
 * Globals tenant code may reach for that the realm does not have: the ones it is created without
 * (REMOVED_GLOBALS, less `console`, which it has, and `Proxy`, which no-reflection flags) and Node's own.
 */
export const HOST_GLOBALS = new Set<string>([
  ...REMOVED_GLOBALS.filter((name) => name !== "console" && name !== "Proxy"),
  "__non_webpack_require__",
]);

export const STACK_PROPERTIES = new Set(["prepareStackTrace", "captureStackTrace", "caller", "callee"]);
export const REFLECTION_PROPERTIES = new Set([
  "getPrototypeOf",
  "setPrototypeOf",
  "defineProperty",
  "defineProperties",
  "getOwnPropertyDescriptor",
  "getOwnPropertyDescriptors",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

export interface RuleInput {
  format: ModuleFormat;
}
