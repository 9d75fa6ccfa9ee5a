import type { Finding, RuleId } from "./rules.js";

/**
 * The library profile: how code under a node_modules directory is checked. npm packages are written for
 * Node, not for this sandbox, so a few rules that are defense in depth for a tenant's own code (the realm
 * holds without them) become warnings there, and CommonJS runs sloppy unless the file says "use strict",
 * as Node runs it. Any tenant can put any file under node_modules: nothing relaxed here may be something
 * the realm relies on. The rules that stay errors (with, __tenantbox names, module-level
 * arguments, .caller, constructor chains at STANDARD and up, Proxy/Reflect at STRICT)
 * are the ones whose absence the runtime defenses do not cover.
 */
export function isLibraryModule(id: string): boolean {
  return id.startsWith("node_modules/") || id.includes("/node_modules/");
}

/** Rules whose findings are warnings in library code, and why that is safe. */
const RELAXED: Partial<Record<RuleId, string>> = {
  "static-require": "a computed require resolves at run time against the module's validated dependencies, or throws MODULE_NOT_FOUND",
  "no-dynamic-import": "a computed import() resolves at run time against the module's validated dependencies, or rejects with MODULE_NOT_FOUND (every import() is the realm's own: the transform rewrites it)",
  "no-eval": "code generation from strings is off in the realm: eval throws an EvalError the library can catch",
  "no-function-constructor": "code generation from strings is off in the realm: Function(...) throws an EvalError the library can catch",
  "no-proto": "every intrinsic prototype is frozen; __proto__ only rewires the library's own objects",
  "no-import-meta": "the transform gives a library ES module's import.meta a plain object of its own (where the module lies in the tenant folder), nothing of the host's",
};

/**
 * The stack-trick properties library code may use: captureStackTrace runs the realm's own formatter,
 * prepareStackTrace reads as that formatter and, assigned, sets a hook captureStackTrace applies to the realm's
 * own CallSites of tenant frames (sandbox/errors.ts), and callee is the function itself. `.caller` stays refused.
 */
const ALLOWED_STACK_PROPERTIES = new Set(["captureStackTrace", "prepareStackTrace", "callee"]);

/** Whether a finding is only a warning in library code. */
export function relaxedInLibrary(finding: Finding): boolean {
  if (finding.rule === "no-stack-tricks") return finding.name !== undefined && ALLOWED_STACK_PROPERTIES.has(finding.name);
  return Object.hasOwn(RELAXED, finding.rule);
}
