import path from "node:path";
import type { TaskModule } from "../runner/protocol.js";
import type { SecurityLevel } from "../security-levels.js";
import { compileModule, refusedVersion, type CompiledVersion } from "./compile.js";
import { fileIssue } from "./issues.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import { ResolutionCache } from "./resolution-cache.js";
import { realInside, ResolveFailure } from "./resolve.js";
import { stampOf, StatMemo } from "./stat-memo.js";

/** What the host already holds of a file: the stamp of its version and the specifiers of what it serves. */
export interface KnownFile {
  stamp: string;
  specifiers: string[];
  /** The served version cannot run (refused or blocked): the walk stops there, as the host will. */
  unrunnable: boolean;
}

export interface GraphWalkInput {
  realFolder: string;
  /** The entry's path as the caller gave it, relative to the folder (already checked to stay inside). */
  entryFile: string;
  known: Record<string, KnownFile>;
  securityLevel: SecurityLevel;
  scoring: boolean;
  maxModuleBytes: number;
  /** Hand the text of new versions back (the host's custom scorer reads it). */
  withCode: boolean;
  limits: { maxModules: number; maxSpecifiers: number };
}

export interface WalkedModule {
  realPath: string;
  stamp: string;
  deps: TaskModule["deps"];
  /** A version the host did not hold yet. */
  version?: CompiledVersion;
  code?: string;
}

export type GraphWalkResult =
  | { ok: true; entryRealPath: string; modules: WalkedModule[] }
  | { ok: false; code: "MODULE_NOT_FOUND" | "VALIDATION_ERROR"; message: string; realPath?: string };

/** Resolutions kept by this loader thread across walks (byte-bounded like the host's). */
const resolutions = new ResolutionCache();

/**
 * A module graph walked on a loader thread, for a tenant whose paths are too slow to look up on the host's
 * main thread (invariant 8): the same stats, resolutions and reads the host would make, plus the compile of
 * every version the host does not hold. The host keeps its caches, events and verdicts.
 */
export function walkGraph(input: GraphWalkInput): GraphWalkResult {
  const { realFolder, known } = input;
  const memo = new StatMemo();
  let entryRealPath: string;
  try {
    entryRealPath = realInside(realFolder, path.resolve(realFolder, input.entryFile), input.entryFile);
  } catch (error) {
    if (!(error instanceof ResolveFailure)) throw error;
    return { ok: false, code: "MODULE_NOT_FOUND", message: error.message };
  }
  const modules: WalkedModule[] = [];
  const seen = new Set<string>();
  const queue = [entryRealPath];
  let specifierCount = 0;
  while (queue.length) {
    const realPath = queue.shift()!;
    if (seen.has(realPath)) continue;
    seen.add(realPath);
    if (seen.size > input.limits.maxModules) return { ok: false, code: "VALIDATION_ERROR", message: `module graph has more than ${input.limits.maxModules} modules` };
    const stat = memo.stat(realPath);
    if (!stat || !stat.isFile()) return { ok: false, code: "MODULE_NOT_FOUND", message: "cannot find module", realPath };
    const stamp = stampOf(stat);
    const walked: WalkedModule = { realPath, stamp, deps: {} };
    modules.push(walked);
    let specifiers: string[];
    const held = known[realPath];
    if (held && held.stamp === stamp) {
      if (held.unrunnable) break;
      specifiers = held.specifiers;
    } else {
      const id = path.relative(realFolder, realPath).split(path.sep).join("/");
      const { version, code } = readAndCompile(input, realPath, id, stat.size);
      walked.version = version;
      if (input.withCode && code !== undefined) walked.code = code;
      // The host decides what serves (a watched folder's last good version); its specifiers are what
      // it holds for the file, or none for a refused version.
      if (version.rejection) {
        if (!held || held.unrunnable) break;
        specifiers = held.specifiers;
      } else specifiers = version.specifiers;
    }
    specifierCount += specifiers.length;
    if (specifierCount > input.limits.maxSpecifiers) {
      return { ok: false, code: "VALIDATION_ERROR", message: `module graph has more than ${input.limits.maxSpecifiers} require/import specifiers` };
    }
    for (const specifier of specifiers) {
      try {
        const depReal = resolutions.resolve(realFolder, realPath, specifier, memo);
        walked.deps[specifier] = { id: path.relative(realFolder, depReal).split(path.sep).join("/") };
        queue.push(depReal);
      } catch (error) {
        if (!(error instanceof ResolveFailure)) throw error;
        walked.deps[specifier] = { error: error.message };
      }
    }
  }
  return { ok: true, entryRealPath, modules };
}

function readAndCompile(input: GraphWalkInput, realPath: string, id: string, size: bigint): { version: CompiledVersion; code?: string } {
  const maxBytes = input.maxModuleBytes;
  if (size > BigInt(maxBytes)) return { version: refusedVersion([fileIssue("max-module-size", `module is ${size} bytes; the limit is ${maxBytes}`)]) };
  let code: string;
  try {
    code = readRegularFile(realPath, maxBytes, input.realFolder);
  } catch (error) {
    if (error instanceof FileReadRefused) return { version: refusedVersion([fileIssue(error.reason === "too-large" ? "max-module-size" : "not-a-file", `module ${error.message}`)]) };
    return { version: refusedVersion([fileIssue("not-a-file", "module cannot be read")]) };
  }
  return { version: compileModule(code, id, input.securityLevel, input.scoring), code };
}
