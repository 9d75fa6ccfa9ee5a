import { createHash } from "node:crypto";
import path from "node:path";
import { type SecurityLevel } from "../security-levels.js";
import type { TaskModule } from "../runner/protocol.js";
import { clipIssue, fileIssue, limitIssues, type ValidationIssue, type ValidationResult } from "./issues.js";
import { transformModule } from "./transform.js";
import { checkModule, TOO_DEEP } from "./validate.js";
import { checkInlineScript, INLINE_PREFIX_LENGTH, INLINE_SCRIPT_ID, scriptBodyIssues, unwrapIssue, wrapInlineScript } from "./inline-script.js";
import { staticExports, type StaticExports } from "./exports.js";
import { scoreModule, type ScoreReport } from "./scoring.js";
import { IMPLICIT_BUILTINS, readBuiltinBundle } from "./builtins.js";
import { isLibraryModule } from "./library-profile.js";
import { invalidJsonIssue, withoutBom } from "./json-positions.js";

/**
 * One compiled version of a module file: what the pipeline (pre-scan -> parse -> rules -> scoring ->
 * transform) made of its text. Plain data: it is built on a loader thread and copied to the host.
 */
export interface CompiledVersion {
  format: TaskModule["format"];
  hash: string;
  source: string;
  /** Bytes of the file as written. */
  bytes: number;
  specifiers: string[];
  exports: StaticExports;
  warnings: ValidationIssue[];
  rejection?: ValidationIssue[];
  /** The built-in exfiltration score, when the scoring gate is on (the host applies thresholds and callbacks). */
  score?: ScoreReport;
}

export interface CompileInput {
  /** A module file's text, or an inline script's body; ignored for built-ins (the thread reads their bundle). */
  code: string;
  /** The module's id in its folder (its extension decides the format); ignored for scripts; a built-in's id. */
  id: string;
  kind: "module" | "script" | "builtin";
  securityLevel: SecurityLevel;
  scoring: boolean;
  /** Loops count against maxIterations (the runtime has it on), else they only look at the clock now and then. */
  countIterations: boolean;
}

export interface CheckInput {
  code: string;
  kind: "module" | "script";
  extension: string;
  securityLevel: SecurityLevel;
}

const MAX_SPECIFIERS_PER_MODULE = 500;

/**
 * The longest specifier a version records (a path past PATH_MAX names no file). Each one becomes an object key on
 * the host's main thread (a module's deps, and again as the host reads a loader thread's walk), and V8 interns keys
 * in its string table, hashing one of more than 16,383 characters by its length alone: 120 requires of distinct
 * 17,000-character literals in each 2 MiB module held the host's main thread 0.2-0.6 s per module read, each slower
 * than the last (review dec10, as red team dec10 H2 found for JSON keys).
 */
export const MAX_SPECIFIER_LENGTH = 4096;
const EMPTY_EXPORTS: StaticExports = { names: [], complete: false };

/** A version that did not make it: refused, with the reasons. */
export function refusedVersion(issues: ValidationIssue[], format: TaskModule["format"] = "cjs"): CompiledVersion {
  return { format, hash: "", source: "", bytes: 0, specifiers: [], exports: EMPTY_EXPORTS, warnings: [], rejection: limitIssues(issues).map(clipIssue) };
}

function hashOf(id: string, text: string): string {
  return createHash("sha256").update(id).update("\0").update(text).digest("base64url");
}

/**
 * The built-ins a module's text names without requiring them (`Buffer`, `process`, ...: builtins.ts): each
 * becomes a specifier of the module, so the graph carries what the realm's global getters read.
 * A word in a comment counts too; the cost is one module in the graph.
 */
function implicitBuiltins(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(IMPLICIT_NAMES)) found.add(IMPLICIT_BUILTINS[match[1]!]!);
  return [...found];
}
const IMPLICIT_NAMES = new RegExp(`\\b(${Object.keys(IMPLICIT_BUILTINS).join("|")})\\b`, "g");

/** Why a JSON module's text is not JSON, or undefined. */
function jsonModuleIssue(code: string): ValidationIssue | undefined {
  try {
    JSON.parse(code);
    return undefined;
  } catch (error) {
    return invalidJsonIssue(code, error);
  }
}

/** The pipeline for one module file's text, in order: pre-scan, parse, rules, scoring, transform. */
export function compileModule(
  code: string,
  id: string,
  level: SecurityLevel,
  scoring: boolean,
  options: { countIterations: boolean; builtin?: boolean; firstLineColumnShift?: number },
): CompiledVersion {
  const extension = options.builtin ? ".cjs" : path.extname(id).toLowerCase();
  const bytes = Buffer.byteLength(code, "utf8");
  if (extension === ".json") {
    // The realm parses the source as it is: without the byte order mark Node's require skips.
    const json = withoutBom(code);
    const invalid = jsonModuleIssue(json);
    if (invalid) return refusedVersion([invalid], "json");
    return { format: "json", hash: hashOf(id, json), source: json, bytes, specifiers: [], exports: { names: ["default"], complete: true }, warnings: [] };
  }
  const profile = options.builtin ? "builtin" : isLibraryModule(id) ? "library" : "tenant";
  const checked = checkModule(code, extension, level, profile);
  if (!checked.result.valid || !checked.parsed) return refusedVersion(checked.result.issues);
  const score = scoring ? scoreModule(checked.parsed.ast, id, checked.parsed.code, checked.parsed.lineShift) : undefined;
  let transformed: ReturnType<typeof transformModule>;
  try {
    transformed = transformModule(checked.parsed, {
      countIterations: options.countIterations,
      library: profile !== "tenant",
      moduleId: id,
      firstLineColumnShift: options.firstLineColumnShift ?? 0,
    });
  } catch (error) {
    if (error instanceof RangeError) return refusedVersion([TOO_DEEP]);
    throw error;
  }
  for (const specifier of implicitBuiltins(code)) if (!transformed.specifiers.includes(specifier)) transformed.specifiers.push(specifier);
  // No file has a longer name: such a require is MODULE_NOT_FOUND where it runs, as in Node (ENAMETOOLONG).
  if (transformed.specifiers.some((specifier) => specifier.length > MAX_SPECIFIER_LENGTH)) {
    transformed.specifiers = transformed.specifiers.filter((specifier) => specifier.length <= MAX_SPECIFIER_LENGTH);
  }
  if (transformed.specifiers.length > MAX_SPECIFIERS_PER_MODULE) {
    const count = transformed.specifiers.length;
    return refusedVersion([fileIssue("max-specifiers", `module requires or imports ${count} different modules; the limit is ${MAX_SPECIFIERS_PER_MODULE}`)]);
  }
  const version: CompiledVersion = {
    format: checked.parsed.format,
    // Without the guards' random suffix: the same module has the same hash whichever compile made it.
    hash: hashOf(id, transformed.wrapper.split(transformed.guardSuffix).join("")),
    source: transformed.wrapper,
    bytes,
    specifiers: transformed.specifiers,
    exports: staticExports(checked.parsed),
    warnings: limitIssues(checked.result.issues).map(clipIssue),
  };
  if (score) version.score = score;
  return version;
}

/** An inline script (a function body) as the one-module graph it runs as. */
export function compileScript(code: string, level: SecurityLevel, scoring: boolean, countIterations: boolean): CompiledVersion {
  const early = scriptBodyIssues(code, level);
  if (early.some((issue) => issue.severity === "error")) return refusedVersion(early);
  const version = compileModule(wrapInlineScript(code), INLINE_SCRIPT_ID, level, scoring, { countIterations, firstLineColumnShift: INLINE_PREFIX_LENGTH });
  version.bytes = Buffer.byteLength(code, "utf8");
  version.warnings = version.warnings.map(unwrapIssue);
  if (version.rejection) version.rejection = version.rejection.map(unwrapIssue);
  return version;
}

/** The loader thread's entry points: compile a version, or only check text (layers 0 and 1). */
export function compile(input: CompileInput): CompiledVersion {
  const { countIterations } = input;
  if (input.kind === "builtin") return compileModule(input.code || readBuiltinBundle(input.id), input.id, input.securityLevel, false, { countIterations, builtin: true });
  return input.kind === "script"
    ? compileScript(input.code, input.securityLevel, input.scoring, countIterations)
    : compileModule(input.code, input.id, input.securityLevel, input.scoring, { countIterations });
}

export function check(input: CheckInput): ValidationResult {
  // A JSON module is data: checked as the runtime loads it (compileModule), not as JavaScript.
  if (input.kind === "module" && input.extension === ".json") {
    const invalid = jsonModuleIssue(withoutBom(input.code));
    return invalid ? { valid: false, issues: [clipIssue(invalid)] } : { valid: true, issues: [] };
  }
  const result = input.kind === "script" ? checkInlineScript(input.code, input.securityLevel) : checkModule(input.code, input.extension, input.securityLevel).result;
  return { valid: result.valid, issues: limitIssues(result.issues).map(clipIssue) };
}
