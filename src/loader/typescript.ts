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
    const location = stripErrorLocation(error, code);
    if (reason === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX") {
      return { issue: fileIssue("typescript", `${text}: types are stripped in place so that positions stay true; ${insteadOf(text)}`, "error", location) };
    }
    return { issue: fileIssue("syntax", `TypeScript: ${text}`, "error", location) };
  }
}

/** What to write instead of syntax strip-only mode cannot erase (its message names it). */
function insteadOf(message: string): string {
  if (/\benum\b/.test(message)) return "write a const object instead";
  if (/\bnamespace\b|\bmodule\b/.test(message)) return "write a module (or an object) instead";
  if (/parameter propert/.test(message)) return "declare the field and assign it in the constructor instead";
  if (/import equals/.test(message)) return "write import or require() instead";
  return "write it without generating code";
}

/**
 * Where Node's stripper found the problem (its message names no position): the error's stack starts with
 * "<file>:<line>", then the lines around it (tabs shown as four spaces) with a line of carets under the spot.
 * Read defensively: a stack in another shape gives the line when it can, else 1:1 as before.
 */
function stripErrorLocation(error: unknown, code: string): { line: number; column: number } {
  const stack = (error as { stack?: unknown } | null)?.stack;
  const shown = typeof stack === "string" ? stack.split("\n") : [];
  const header = /^\S*:(\d+)$/.exec(shown[0] ?? "");
  const source = code.split(/\r\n|\n|\r/);
  const line = header ? Number(header[1]) : 0;
  if (!(line >= 1 && line <= source.length)) return { line: 1, column: 1 };
  const written = source[line - 1]!;
  for (let i = 2; i < shown.length && shown[i] !== ""; i++) {
    if (!/^\s*\^+\s*$/.test(shown[i]!)) continue;
    // The carets sit under the line shown just above them: this line, as the stripper printed it.
    if (shown[i - 1] !== written.replace(/\t/g, "    ")) break;
    const under = shown[i]!.indexOf("^");
    let width = 0;
    for (let column = 0; column < written.length; column++) {
      width += written[column] === "\t" ? 4 : 1;
      if (width > under) return { line, column: column + 1 };
    }
    return { line, column: written.length + 1 };
  }
  return { line, column: 1 };
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
