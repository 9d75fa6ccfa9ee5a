/**
 * A native `import()` in a realm (should one ever get past the validator and the transform, which rewrite
 * every `import()` the parser sees: a parser differential would do it) must fail with a primitive, never
 * with an error object of the worker's own realm, whose `.constructor.constructor` is the worker's Function
 * (invariant 1). Node calls a script's `importModuleDynamically` function only when the process (or worker
 * thread) runs with --experimental-vm-modules; without it, with the option or without, the import rejects
 * with a host TypeError (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG / _MISSING) and
 * `e.constructor.constructor("return process")()` is the worker's process (red team dec09, F2).
 * So every worker runs with the flag, and every script and function compiled for a realm has this callback.
 *
 * What this does not cover (measured, Node 24): an import() made at the very edge of the stack overflows in
 * Node's own frames before or while they call the callback, and the RangeError, thrown or rejected, is the
 * worker's again. That one is taken where tenant code would receive it, as every value of the worker's realm
 * is (sandbox/caught.ts: catch bindings and rejection handlers); the validator's rule stays the first layer.
 */
export const VM_MODULES_FLAG = "--experimental-vm-modules";

/** The `importModuleDynamically` of every script and function compiled for a realm: a string, not an Error. */
export function refuseDynamicImport(): never {
  throw "dynamic import() is not available in the sandbox";
}

/** Refuses to start a worker whose realms would hand a host error to a native import() (the flag is missing). */
export function assertDynamicImportRefusable(execArgv: readonly string[]): void {
  if (!execArgv.includes(VM_MODULES_FLAG)) {
    throw new Error(`tenantbox: a worker must run with ${VM_MODULES_FLAG}, or a native import() in a realm rejects with a host error object`);
  }
}
