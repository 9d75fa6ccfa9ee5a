import nodeModule from "node:module";
import { clipText, fileIssue, MAX_QUOTED_TEXT, type ValidationIssue } from "./issues.js";

/**
 * TypeScript tenant modules: .ts (format decided like .js), .mts (ES module), .cts (CommonJS). Types are
 * stripped by Node's own stripper (module.stripTypeScriptTypes, strip-only mode), which blanks them out with
 * spaces: every line and column of what is left is the tenant's own, so validation issues, stack traces
 * and error positions point at the .ts file as written. Syntax that strip-only mode cannot erase (enum,
 * namespace with values, parameter properties, `import x = require()`) would need code generated in their
 * place, and is refused with a VALIDATION_ERROR that names it. Runs where checks run: on a loader thread.
 */
const JAVASCRIPT_EXTENSION: Record<string, string> = { ".ts": ".js", ".mts": ".mjs", ".cts": ".cjs" };

export function isTypeScript(extension: string): boolean {
  return Object.hasOwn(JAVASCRIPT_EXTENSION, extension);
}

/** The JavaScript a TypeScript module runs as, with the extension that decides its format; or why not. */
export function stripTypes(code: string, extension: string): { code: string; extension: string } | { issue: ValidationIssue } {
  // Node 22.13 and later have it (engines allows 22.12).
  const strip = (nodeModule as { stripTypeScriptTypes?: (code: string, options: { mode: "strip" }) => string }).stripTypeScriptTypes;
  if (strip === undefined) return { issue: fileIssue("typescript", `TypeScript modules need Node 22.13 or later (this is ${process.version})`) };
  try {
    return { code: withoutExperimentalWarning(() => strip(code, { mode: "strip" })), extension: JAVASCRIPT_EXTENSION[extension]! };
  } catch (error) {
    const { code: reason, message } = error as { code?: unknown; message?: unknown };
    const text = clipText(typeof message === "string" ? message.split("\n")[0]!.trim() : "it cannot be type-stripped", MAX_QUOTED_TEXT * 2);
    if (reason === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX") {
      return { issue: fileIssue("typescript", `${text}: types are stripped in place so that positions stay true; write a const object or a module instead`) };
    }
    return { issue: fileIssue("syntax", `TypeScript: ${text}`) };
  }
}

/** Node flags stripTypeScriptTypes as experimental on every process that calls it; that warning is not the tenant's news. */
function withoutExperimentalWarning<T>(run: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    if (String(warning).includes("stripTypeScriptTypes")) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return run();
  } finally {
    process.emitWarning = emit;
  }
}
