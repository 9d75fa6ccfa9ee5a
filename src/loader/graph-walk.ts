import path from "node:path";
import type { TaskModule } from "../runner/protocol.js";
import type { SecurityLevel } from "../security-levels.js";
import { compileModule, refusedVersion, type CompiledVersion } from "./compile.js";
import { fileIssue } from "./issues.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import { builtinDependency } from "./builtins.js";
import { isLibraryModule } from "./library-profile.js";
import { resolveOnlyDependency, resolvedOnly } from "./resolve-only.js";
import { ContextBudget, expandContexts, isRequireContext } from "./require-context.js";
import { ByteBoundedCache } from "./byte-bounded-cache.js";
import { ResolutionCache } from "./resolution-cache.js";
import { realInside, ResolveFailure, toId } from "./resolve.js";
import { stampOf, StatMemo } from "./stat-memo.js";

/**
 * What the host already holds of a file (the modules of this entry's last walk): the stamp of its version,
 * so the walk does not send that version back; the specifiers only when what it serves is not that version
 * (a watched folder's last good one), else the thread knows them or compiles again to learn them.
 */
export interface KnownFile {
  stamp: string;
  /** The served version cannot run (refused or blocked): the walk stops there, as the host will. */
  unrunnable: boolean;
  /** The served version's format: an ES module's specifiers resolve as imports, CommonJS ones as requires. */
  format: CompiledVersion["format"];
  specifiers?: string[];
}

export interface GraphWalkInput {
  realFolder: string;
  /** The entry's path as the caller gave it, relative to the folder (already checked to stay inside). */
  entryFile: string;
  known: Record<string, KnownFile>;
  securityLevel: SecurityLevel;
  scoring: boolean;
  countIterations: boolean;
  maxModuleBytes: number;
  /** Hand the text of new versions back (the host's custom scorer reads it). */
  withCode: boolean;
  limits: { maxModules: number; maxSpecifiers: number };
}

export interface WalkedModule {
  realPath: string;
  stamp: string;
  deps: TaskModule["deps"];
  /** The specifiers of deps that came from a computed require's context (require-context.ts). */
  contextDeps?: string[];
  /** A version the host did not hold yet. */
  version?: CompiledVersion;
  code?: string;
}

export type GraphWalkResult =
  | {
      ok: true;
      entryRealPath: string;
      modules: WalkedModule[];
      /** Every file and directory the walk's answer depends on, with its stamp: the host keeps the graph against them. */
      dependsOn: [string, string][];
      /** The walk went through a symbolic link no stamp covers: its graph must not be kept. */
      volatile: boolean;
    }
  | {
      ok: false;
      code: "MODULE_NOT_FOUND" | "VALIDATION_ERROR";
      message: string;
      realPath?: string;
      /** Over a graph limit: what the walk had looked at when it stopped (the verdict holds until one changes). */
      limit?: { entryRealPath: string; dependsOn: [string, string][]; volatile: boolean };
    };

/** Resolutions kept by this loader thread across walks (byte-bounded like the host's). */
const resolutions = new ResolutionCache();
/** The specifiers (and format) of versions this thread compiled, by real path and stamp: a walk that meets one again need not compile it. */
const specifiersSeen = new ByteBoundedCache<{ specifiers: string[]; format: CompiledVersion["format"] }>(16 * 1024 * 1024);

function rememberSpecifiers(realPath: string, stamp: string, version: CompiledVersion): void {
  let bytes = 64 + (realPath.length + stamp.length) * 2;
  for (const specifier of version.specifiers) bytes += 32 + specifier.length * 2;
  specifiersSeen.set(`${realPath}\0${stamp}`, { specifiers: version.specifiers, format: version.format }, bytes);
}

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
  const limitOf = () => ({ entryRealPath, dependsOn: memo.dependencies(), volatile: memo.isVolatile });
  const queue = [entryRealPath];
  let specifierCount = 0;
  // Paths only a context's specifiers reached so far: one that cannot run does not end the walk (the host
  // leaves it out, require-context.ts).
  const softOnly = new Set<string>();
  const reachedHard = new Set<string>([entryRealPath]);
  const budget = new ContextBudget(input.limits.maxSpecifiers);
  while (queue.length) {
    const realPath = queue.shift()!;
    if (seen.has(realPath)) continue;
    seen.add(realPath);
    if (seen.size > input.limits.maxModules) return { ok: false, code: "VALIDATION_ERROR", message: `module graph has more than ${input.limits.maxModules} modules`, limit: limitOf() };
    const stat = memo.stat(realPath);
    if (!stat || !stat.isFile()) return { ok: false, code: "MODULE_NOT_FOUND", message: "cannot find module", realPath };
    const stamp = stampOf(stat);
    memo.depend(realPath, stamp);
    // No prototype: a specifier "__proto__" is a key like any other (Node loads node_modules/__proto__).
    const walked: WalkedModule = { realPath, stamp, deps: Object.create(null) };
    modules.push(walked);
    let specifiers: string[];
    let format: CompiledVersion["format"];
    const held = known[realPath];
    const id = toId(realFolder, realPath);
    if (held && held.stamp === stamp) {
      // The host has this version: it is not sent back, only walked.
      if (held.unrunnable) {
        if (softOnly.has(realPath)) continue;
        break;
      }
      format = held.format;
      let seen = held.specifiers ?? specifiersSeen.get(`${realPath}\0${stamp}`)?.specifiers;
      if (!seen) {
        const version = readAndCompile(input, realPath, id, stat.size).version;
        seen = version.specifiers;
        rememberSpecifiers(realPath, stamp, version);
      }
      specifiers = seen;
    } else {
      const { version, code } = readAndCompile(input, realPath, id, stat.size);
      walked.version = version;
      if (input.withCode && code !== undefined) walked.code = code;
      if (!version.rejection) rememberSpecifiers(realPath, stamp, version);
      // The host decides what serves (a watched folder's last good version): a refused version's walk
      // goes on with what the host serves for the file, or stops.
      if (version.rejection) {
        if (!held || held.unrunnable || !held.specifiers) {
          if (softOnly.has(realPath)) continue;
          break;
        }
        specifiers = held.specifiers;
        format = held.format;
      } else {
        specifiers = version.specifiers;
        format = version.format;
      }
    }
    const library = isLibraryModule(id);
    // A library's computed require spelled with its directory: the files of that directory it could name.
    let fromContexts: Set<string> | undefined;
    if (specifiers.some(isRequireContext)) {
      ({ specifiers, fromContexts } = expandContexts(specifiers, { library, realPath, realFolder, memo, budget, specifiersSoFar: specifierCount }));
      walked.contextDeps = [...fromContexts];
    }
    specifierCount += specifiers.length;
    if (specifierCount > input.limits.maxSpecifiers) {
      return { ok: false, code: "VALIDATION_ERROR", message: `module graph has more than ${input.limits.maxSpecifiers} require/import specifiers`, limit: limitOf() };
    }
    for (const specifier of specifiers) {
      const only = resolvedOnly(specifier);
      if (only !== undefined) {
        if (!Object.hasOwn(walked.deps, only)) walked.deps[only] = resolveOnlyDependency(() => builtinDependency(only, library) ?? { id: toId(realFolder, resolutions.resolve(realFolder, realPath, only, memo, "require")) });
        continue;
      }
      const builtin = builtinDependency(specifier, library);
      if (builtin) {
        walked.deps[specifier] = builtin;
        continue;
      }
      try {
        const depReal = resolutions.resolve(realFolder, realPath, specifier, memo, format === "esm" ? "import" : "require");
        walked.deps[specifier] = { id: toId(realFolder, depReal) };
        if (fromContexts?.has(specifier)) {
          if (!reachedHard.has(depReal)) softOnly.add(depReal);
        } else {
          reachedHard.add(depReal);
          softOnly.delete(depReal);
        }
        queue.push(depReal);
      } catch (error) {
        if (!(error instanceof ResolveFailure)) throw error;
        walked.deps[specifier] = { error: error.message };
      }
    }
  }
  return { ok: true, entryRealPath, modules, dependsOn: memo.dependencies(), volatile: memo.isVolatile };
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
  return { version: compileModule(code, id, input.securityLevel, input.scoring, { countIterations: input.countIterations }), code };
}
