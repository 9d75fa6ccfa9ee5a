import fs from "node:fs";
import path from "node:path";
import { countsIterations } from "../limits.js";
import { FileReadRefused, readRegularFile } from "../loader/read-regular-file.js";
import { LEVEL_DEFAULTS, type SecurityLevel, type ValidationIssue } from "../index.js";
import { invalidJsonIssue, withoutBom } from "../loader/json-positions.js";
import { clipIssue, fileIssue, limitIssues, undecodableNameIssue } from "../loader/issues.js";
import { checkModule } from "../loader/validate.js";
import { meriyahParserOf } from "../loader/meriyah-parser.js";
import { installFastParser } from "../loader/parse.js";
import { parse as meriyahParse } from "meriyah";
import { MANIFEST_FILE } from "../registry/manifest.js";
import { walkModuleFiles } from "../loader/module-files.js";
import { MAX_TENANT_PATH_DEPTH } from "../loader/real-path.js";
import { Registry } from "../registry/registry.js";
import { resolveOptions } from "../options.js";
import { existingFolder, EXIT_FAILURE, EXIT_OK, parseCommandArgs, parseSecurityLevel, UsageError } from "./args.js";
import { sanitizeLine } from "./format.js";
import { usageOf } from "./usage.js";

/**
 * Every module and JSON file under `root`, relative with forward slashes, sorted, as the registry walks a
 * folder (no node_modules, dot-entries or symbolic links); a FIFO or device named like one is listed too (its
 * check says what it is). Directories that cannot be read are listed in `unreadable`, those deeper than a
 * tenant file may be (not entered) in `tooDeep`.
 */
export function listCheckableFiles(root: string): { files: string[]; unreadable: string[]; tooDeep: string[] } {
  const relative = (p: string) => path.relative(root, p).split(path.sep).join("/") || ".";
  const walk = walkModuleFiles(root, { maxFiles: Infinity, maxEntries: Infinity, sorted: true });
  const files = [...walk.files, ...walk.special].map(relative).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, unreadable: walk.unreadable.map(relative), tooDeep: walk.tooDeep.map(relative) };
}


/** JSON data files are not limited by the security level; this only keeps one from filling memory. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** The parser the runtime's loader threads read files with, so that `check` and a call agree. */
const MERIYAH = meriyahParserOf(meriyahParse);

/** The issues of one file, as the runtime's validator (or, for .json, JSON.parse) sees them. */
export function checkFile(absolute: string, level: SecurityLevel): ValidationIssue[] {
  const extension = path.extname(absolute).toLowerCase();
  let code: string;
  try {
    const limit = LEVEL_DEFAULTS[level].maxModuleBytes;
    // Don't read a huge module just to be told it is too big, nor wait on a FIFO.
    code = readRegularFile(absolute, extension === ".json" ? MAX_JSON_BYTES : limit);
  } catch (error) {
    if (error instanceof FileReadRefused) {
      return [fileIssue(error.reason === "too-large" ? "max-module-size" : "not-a-file", `${extension === ".json" ? "file" : "module"} ${error.message}`)];
    }
    const code = (error as NodeJS.ErrnoException).code;
    // Listed a moment ago: a name that is not UTF-8 was decoded with U+FFFD and names nothing.
    if (code === "ENOENT" && path.basename(absolute).includes("\uFFFD")) return [undecodableNameIssue()];
    return [fileIssue("read-error", `cannot read file: ${code ?? (error as Error).message}`)];
  }
  if (extension === ".json") {
    // As the loader reads a JSON module: a byte order mark first is skipped, as Node's require skips it.
    const json = withoutBom(code);
    try {
      JSON.parse(json);
      return [];
    } catch (error) {
      return [invalidJsonIssue(json, error)];
    }
  }
  installFastParser(MERIYAH);
  // As the loader keeps them: at most 100 a file (then one max-issues issue counting the rest), messages clipped.
  return limitIssues(checkModule(code, extension, level).result.issues).map(clipIssue);
}

/** `file:line:column rule message`, with "(warning)" after the rule for warnings; line and column 1-based. */
export function formatIssue(file: string, found: ValidationIssue): string {
  const { line, column } = found.location;
  const marker = found.severity === "warning" ? " (warning)" : "";
  return `${sanitizeLine(file)}:${line}:${column} ${found.rule}${marker} ${sanitizeLine(found.message)}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** `tenantbox check <folder>`: static validation of a whole tenant folder; exit 1 if any error. */
export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { "security-level": { type: "string" } });
  if (values.help) {
    process.stdout.write(usageOf("check"));
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError("check needs exactly one <folder>");
  const level = parseSecurityLevel(values["security-level"]) ?? "STANDARD";
  const root = existingFolder(positionals[0]!);

  let errors = 0;
  let warnings = 0;
  const { files, unreadable, tooDeep } = listCheckableFiles(root);
  let out = "";
  for (const dir of unreadable) {
    errors++;
    out += formatIssue(dir, fileIssue("read-error", "cannot read directory")) + "\n";
  }
  for (const dir of tooDeep) {
    warnings++;
    out += formatIssue(dir, fileIssue("limit", `not checked: more than ${MAX_TENANT_PATH_DEPTH} directories below the folder, where the runtime loads no file`, "warning")) + "\n";
  }
  for (const file of files) {
    // The manifest is checked below, syntax included, as the registry reads it.
    if (file === MANIFEST_FILE) continue;
    for (const found of checkFile(path.join(root, file), level)) {
      if (found.severity === "error") errors++;
      else warnings++;
      out += formatIssue(file, found) + "\n";
    }
    // Flush as we go on big trees; small ones print at once.
    if (out.length > 64 * 1024) {
      process.stdout.write(out);
      out = "";
    }
  }
  if (fs.existsSync(path.join(root, MANIFEST_FILE))) {
    // The manifest's own checks (schema, paths, exported functions), as the registry makes them.
    const resolved = resolveOptions({ securityLevel: level });
    const registry = new Registry({ securityLevel: level, countIterations: countsIterations(resolved.maxIterations), watch: false, loader: resolved.loader, emit: () => {} });
    try {
      for (const found of (await registry.manifest(root)).issues) {
        if (found.severity === "error") errors++;
        else warnings++;
        out += formatIssue(MANIFEST_FILE, found) + "\n";
      }
    } finally {
      await registry.close();
    }
  }
  out += `${plural(files.length, "file")} checked (${level}): ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`;
  process.stdout.write(out);
  return errors > 0 ? EXIT_FAILURE : EXIT_OK;
}
