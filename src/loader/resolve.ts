import fs from "node:fs";
import { RuntimeError } from "../errors.js";
import { clipText, MAX_QUOTED_TEXT } from "./issues.js";
import { depthBelow, MAX_TENANT_PATH_DEPTH, realPathOf } from "./real-path.js";
import type { StatMemo } from "./stat-memo.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import { builtinModules } from "node:module";
import path from "node:path";
import { isReservedId } from "./builtins.js";
import { checkPackageMap, matchPackageMap, type ResolutionKind } from "./package-exports.js";
import { jsonShapeProblem, MAX_JSON_KEY_LENGTH } from "../json-shape.js";

/** Why a specifier did not resolve; becomes MODULE_NOT_FOUND with this message. */
export class ResolveFailure extends Error {
  constructor(message: string) {
    // Never shown with a stack (its message becomes a dependency's error), and a graph may fail thousands of
    // specifiers on the host's main thread: without a captured stack one costs 1 us instead of 5.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** The files a tenant module can be, in the order resolution tries them on a name without one. */
export const MODULE_EXTENSIONS = [".js", ".mjs", ".cjs", ".json", ".ts", ".mts", ".cts"] as const;
const EXTENSIONS = MODULE_EXTENSIONS;
const BUILTINS = new Set(builtinModules);

export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || BUILTINS.has(specifier);
}

/**
 * The file-system questions resolution asks. The resolution cache answers them through a recording probe,
 * so that a cached answer can be checked later by the few directory and file stamps it depended on.
 */
export interface FileProbe {
  isFile(p: string): boolean;
  isDirectory(p: string): boolean;
  /** The real path, or null when it does not resolve. */
  realPath(p: string): string | null;
  /** A package.json inside the folder, parsed; ResolveFailure when it cannot be read or parsed. */
  packageJson(realFile: string, realFolder: string, shown: string): unknown;
}

/** Asks the file system directly, remembering nothing. */
export const directProbe: FileProbe = {
  isFile: (p) => statOrNull(p)?.isFile() ?? false,
  isDirectory: (p) => statOrNull(p)?.isDirectory() ?? false,
  realPath: (p) => {
    try {
      return realPathOf(p);
    } catch {
      return null;
    }
  },
  packageJson: (realFile, realFolder, shown) => parsePackageJson(readPackageJson(realFile, realFolder, shown), shown).fields,
};

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Big `exports` maps make big package.json files (date-fns: 200 KB); each is parsed once per version. */
export const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/** A package.json's text, read through the open descriptor like every tenant file. */
export function readPackageJson(realFile: string, realFolder: string, shown: string): string {
  try {
    return readRegularFile(realFile, MAX_PACKAGE_JSON_BYTES, realFolder);
  } catch (error) {
    if (error instanceof FileReadRefused) throw new ResolveFailure(`package.json in "${shown}" ${error.message}`);
    throw new ResolveFailure(`package.json in "${shown}" cannot be read`);
  }
}

/**
 * How deeply a package.json may nest, checked before it is parsed: real ones nest a few levels (an
 * `exports` map's conditions about five, and matching stops at 32 below a target); one nested 500,000
 * deep took 35-110 ms to parse on the host's main thread and overflowed the stack of what measured it.
 */
export const MAX_PACKAGE_JSON_DEPTH = 64;

/** The fields of a package.json resolution reads; the rest of a big one is not held on the host. */
export interface PackageFields {
  main?: string;
  exports?: unknown;
  imports?: unknown;
  /** Why its `exports` / `imports` map is refused (too large to match: package-exports.ts); the map is not kept. */
  exportsRefused?: string;
  importsRefused?: string;
}

/** A parsed package.json: its fields (undefined when it is not an object), and about how many bytes they hold. */
export interface ParsedPackage {
  fields: PackageFields | undefined;
  bytes: number;
}

/** ResolveFailure when the text is nested too deeply or is not JSON; a map too large to match is refused in the fields. */
export function parsePackageJson(text: string, shown: string): ParsedPackage {
  // One scan for both: parsed on the host's main thread, where keys V8 hashes by their length alone collide in its
  // string table (json-shape.ts).
  const problem = jsonShapeProblem(text, { maxDepth: MAX_PACKAGE_JSON_DEPTH });
  if (problem === "depth") throw new ResolveFailure(`package.json in "${shown}" is nested more than ${MAX_PACKAGE_JSON_DEPTH} levels deep`);
  if (problem === "keys") throw new ResolveFailure(`package.json in "${shown}" holds an object key longer than ${MAX_JSON_KEY_LENGTH} characters`);
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch {
    throw new ResolveFailure(`package.json in "${shown}" is not valid JSON`);
  }
  if (!pkg || typeof pkg !== "object" || Array.isArray(pkg)) return { fields: undefined, bytes: 0 };
  const { exports, imports, main } = pkg as Record<string, unknown>;
  const fields: PackageFields = {};
  let bytes = 16;
  if (typeof main === "string") {
    fields.main = main;
    bytes += main.length;
  }
  // A map is kept, or the reason it is refused (said when a specifier would resolve through it).
  const keep = (field: "exports" | "imports", map: unknown) => {
    const check = checkPackageMap(map, field === "exports");
    if (check.refused === undefined) {
      fields[field] = map;
      bytes += check.bytes;
    } else {
      const refused = `package.json in "${shown}": ${check.refused}`;
      fields[field === "exports" ? "exportsRefused" : "importsRefused"] = refused;
      bytes += refused.length;
    }
  };
  if (exports !== undefined && exports !== null) keep("exports", exports);
  if (imports && typeof imports === "object") keep("imports", imports);
  return { fields, bytes };
}

/** A file's module id in its folder: its real path relative to the folder's, with forward slashes. */
export function toId(realFolder: string, realPath: string): string {
  return path.relative(realFolder, realPath).split(path.sep).join("/");
}

/**
 * The real path of `candidate`, only if it stays inside `realRoot` (symlinks followed, then checked) and
 * at most MAX_TENANT_PATH_DEPTH directories below it.
 */
export function realInside(realRoot: string, candidate: string, shown: string, probe: FileProbe = directProbe): string {
  const real = probe.realPath(candidate);
  // The same answer as a missing module: a symlink to "/" must not tell the tenant which host paths exist.
  if (real === null || (real !== realRoot && !real.startsWith(realRoot + path.sep))) {
    throw new ResolveFailure(`cannot find module "${clipText(shown, MAX_QUOTED_TEXT)}"`);
  }
  // Built-in modules have ids "node:..." (builtins.ts): a tenant file never gets one of theirs.
  if (isReservedId(path.relative(realRoot, real))) throw new ResolveFailure(`cannot find module "${clipText(shown, MAX_QUOTED_TEXT)}"`);
  if (depthBelow(realRoot, real) > MAX_TENANT_PATH_DEPTH) {
    throw new ResolveFailure(`"${clipText(shown, MAX_QUOTED_TEXT)}" is more than ${MAX_TENANT_PATH_DEPTH} directories deep in the tenant folder`);
  }
  return real;
}

/**
 * A request Node reads as a directory only: one ending in "/", or in "." or ".." as a path segment ("./lib/",
 * ".", "x/.."). path.resolve and path.join drop that ending, so "./ok.js/" would otherwise find ok.js, which
 * Node refuses (its _findPath looks for ok.js/package.json and ok.js/index.js only).
 */
function namesDirectory(request: string): boolean {
  return request.endsWith("/") || request === "." || request === ".." || request.endsWith("/.") || request.endsWith("/..");
}

function asFileOrDirectory(base: string, realFolder: string, probe: FileProbe, depth = 0): string | undefined {
  const file = asFile(base, probe);
  if (file) return file;
  return asDirectory(base, realFolder, probe, depth);
}

function asFile(base: string, probe: FileProbe): string | undefined {
  if (probe.isFile(base)) return base;
  for (const ext of EXTENSIONS) if (probe.isFile(base + ext)) return base + ext;
  return undefined;
}

/** A directory as a module: its package.json's main file, else its index file. */
function asDirectory(base: string, realFolder: string, probe: FileProbe, depth = 0): string | undefined {
  // A package.json whose main points back at its own folder ("main": ".") must not recurse for ever.
  if (depth > 4) throw new ResolveFailure("package main fields point at each other");
  if (probe.isDirectory(base)) {
    const main = packageMain(base, realFolder, probe);
    if (main) {
      const resolved = asFileOrDirectory(path.join(base, main), realFolder, probe, depth + 1);
      if (resolved) return resolved;
    }
    for (const ext of EXTENSIONS) if (probe.isFile(path.join(base, "index" + ext))) return path.join(base, "index" + ext);
  }
  return undefined;
}

/**
 * The package's main file, as a path relative to it. The `browser` field is not read: the realm is
 * Node-like (package-exports.ts says why Node builds are preferred).
 */
function packageMain(dir: string, realFolder: string, probe: FileProbe): string | undefined {
  return packageFields(dir, realFolder, probe)?.main;
}

/** A directory's package.json fields, or undefined when it has none (or it lies outside the folder). */
function packageFields(dir: string, realFolder: string, probe: FileProbe): PackageFields | undefined {
  const file = path.join(dir, "package.json");
  if (!probe.isFile(file)) return undefined;
  // A package.json outside the folder (through a symlink) is never read: the module it leads to would be refused anyway.
  const real = probe.realPath(file);
  if (real === null || !real.startsWith(realFolder + path.sep)) return undefined;
  return probe.packageJson(real, realFolder, path.basename(dir)) as PackageFields | undefined;
}

/** A package's file named by its exports map for `subpath` ("." or "./x"); undefined when the map names none. */
function viaExports(packageDir: string, pkg: PackageFields | undefined, subpath: string, kind: ResolutionKind, probe: FileProbe): string | undefined {
  if (pkg?.exportsRefused !== undefined) throw new ResolveFailure(pkg.exportsRefused);
  if (pkg?.exports === undefined) return undefined;
  const target = matchPackageMap(pkg.exports, subpath, kind, true);
  if (target === undefined || !target.startsWith("./")) return undefined;
  const file = path.join(packageDir, target);
  if (file !== packageDir && !file.startsWith(packageDir + path.sep)) return undefined;
  return probe.isFile(file) ? file : undefined;
}

/**
 * Resolves `specifier` as loaded from `fromRealPath`, inside the tenant's real folder only:
 * relative paths by real path, bare names from the folder's own node_modules, never Node built-ins.
 */
export function resolveSpecifier(realFolder: string, fromRealPath: string, specifier: string, probe: FileProbe = directProbe, kind: ResolutionKind = "require"): string {
  const shown = clipText(specifier, MAX_QUOTED_TEXT);
  if (specifier.includes("\0")) throw new ResolveFailure("module specifier contains a NUL character");
  if (isBuiltin(specifier)) {
    throw new ResolveFailure(`Node built-in module "${shown}" is not available in the sandbox`);
  }
  if (specifier.startsWith("#")) return viaImports(realFolder, fromRealPath, specifier, kind, probe);
  if (path.isAbsolute(specifier) || /^[a-zA-Z]:[\\/]/.test(specifier)) {
    throw new ResolveFailure(`absolute module path "${shown}" is not allowed; use a relative path`);
  }
  if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
    const base = path.resolve(path.dirname(fromRealPath), specifier);
    if (base !== realFolder && !base.startsWith(realFolder + path.sep)) {
      throw new ResolveFailure(`module "${shown}" is outside the tenant folder`);
    }
    const found = namesDirectory(specifier) ? asDirectory(base, realFolder, probe) : asFileOrDirectory(base, realFolder, probe);
    if (!found) throw new ResolveFailure(`cannot find module "${clipText(shown, MAX_QUOTED_TEXT)}"`);
    return realInside(realFolder, found, specifier, probe);
  }
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = parts.slice(nameLength).join("/");
  if (!name || parts.slice(0, nameLength).some((p) => p === "" || p === "." || p === "..") || subpath.split("/").includes("..")) {
    throw new ResolveFailure(`invalid module name "${shown}"`);
  }
  // Every node_modules from the importing file's directory up to the folder, nearest first, as Node looks.
  for (let dir = path.dirname(fromRealPath); ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== "node_modules") {
      const packageDir = path.join(dir, "node_modules", name);
      if (probe.isDirectory(packageDir)) {
        const found = inPackage(packageDir, subpath, realFolder, kind, probe, namesDirectory(specifier));
        if (!found) throw new ResolveFailure(`cannot find module "${shown}" in package "${clipText(name, MAX_QUOTED_TEXT)}"`);
        return realInside(realFolder, found, specifier, probe);
      }
    }
    if (dir === realFolder || !dir.startsWith(realFolder + path.sep)) break;
  }
  throw new ResolveFailure(`cannot find package "${shown}" in the tenant folder's node_modules`);
}

/** A file of an installed package: by its exports map when it has one that names the subpath, else by path. */
function inPackage(packageDir: string, subpath: string, realFolder: string, kind: ResolutionKind, probe: FileProbe, directoryOnly = false): string | undefined {
  const pkg = packageFields(packageDir, realFolder, probe);
  const exported = viaExports(packageDir, pkg, subpath ? "./" + subpath : ".", kind, probe);
  if (exported) return exported;
  // "pkg/" names the package's directory only: node_modules/pkg.js beside it is not it (Node's _findPath).
  if (!subpath) return directoryOnly ? asDirectory(packageDir, realFolder, probe) : asFileOrDirectory(packageDir, realFolder, probe);
  const base = path.join(packageDir, subpath);
  return namesDirectory(subpath) ? asDirectory(base, realFolder, probe) : asFileOrDirectory(base, realFolder, probe);
}

/** A "#name" specifier: the nearest package.json's imports map, from the importing file up to the folder. */
function viaImports(realFolder: string, fromRealPath: string, specifier: string, kind: ResolutionKind, probe: FileProbe): string {
  for (let dir = path.dirname(fromRealPath); dir === realFolder || dir.startsWith(realFolder + path.sep); dir = path.dirname(dir)) {
    const pkg = packageFields(dir, realFolder, probe);
    if (!pkg) continue;
    if (pkg.importsRefused !== undefined) throw new ResolveFailure(pkg.importsRefused);
    const target = pkg.imports === undefined ? undefined : matchPackageMap(pkg.imports, specifier, kind, false);
    if (target === undefined) break;
    // A target is a file of the package or a package name, never another "#" import (Node refuses that
    // too): a map whose entries name each other would otherwise resolve forever.
    if (target.startsWith("#")) throw new ResolveFailure(`the imports map maps "${clipText(specifier, MAX_QUOTED_TEXT)}" to another import`);
    if (!target.startsWith("./")) return resolveSpecifier(realFolder, path.join(dir, "package.json"), target, probe, kind);
    const file = path.join(dir, target);
    if (!file.startsWith(dir + path.sep) || !probe.isFile(file)) break;
    return realInside(realFolder, file, specifier, probe);
  }
  throw new ResolveFailure(`cannot find module "${clipText(specifier, MAX_QUOTED_TEXT)}" in the imports of its package`);
}

/** The real path of a tenant folder; MODULE_NOT_FOUND when it is not an existing directory. */
export function realFolderOf(folder: string): string {
  try {
    // The platform's own path (a tenant writes inside its folder, not the path to it): one realpath(3).
    const realFolder = fs.realpathSync.native(folder);
    if (!fs.statSync(realFolder).isDirectory()) throw new Error("not a directory");
    return realFolder;
  } catch {
    // The folder's path is the host's: it is not echoed (an execution result may reach the tenant).
    throw new RuntimeError("MODULE_NOT_FOUND", "tenant folder does not exist or is not a directory");
  }
}

/**
 * The real path of a run's entry file inside an already-resolved tenant folder: the file must be relative
 * and stay inside the folder after symlinks are followed.
 */
export function entryIn(realFolder: string, file: string, memo?: StatMemo): string {
  const candidate = checkEntryPath(realFolder, file);
  try {
    if (!memo) return realInside(realFolder, candidate, file);
    // Every call resolves its entry: when no component below the (real) folder is a symlink, the path is
    // already real, and an lstat per component (usually one or two, the last also the entry's stat) says so.
    const direct = memo.plainPathBelow(realFolder, candidate);
    if (direct !== undefined) {
      if (direct === null || depthBelow(realFolder, candidate) > MAX_TENANT_PATH_DEPTH) throw new ResolveFailure(`cannot find module "${clipText(file, MAX_QUOTED_TEXT)}"`);
      return candidate;
    }
    return realInside(realFolder, candidate, file, memoProbe(memo));
  } catch (error) {
    if (error instanceof ResolveFailure) throw new RuntimeError("MODULE_NOT_FOUND", error.message, { file });
    throw error;
  }
}

/**
 * The longest spelling of a run's entry file (a path past PATH_MAX names no file). The caller's spelling, with the
 * folder, keys the host's graph caches (module-graph.ts: graphs, lastWalks; the registry's graphs of a watched
 * folder), and V8 hashes a string of more than 16,383 characters by its length alone: distinct 17,000-character
 * spellings of one module ("b/../c/../a.js") all collided in one bucket, each call slower than the last
 * (3,000 calls: 21 ms of the host's main thread per call; the 64 MiB graph cache holds ~40,000 of them)
 * (red team dec10, hash collisions).
 */
export const MAX_ENTRY_FILE_LENGTH = 4096;

/** The entry's absolute path, which must name something inside the folder (before symlinks: a string check). */
export function checkEntryPath(realFolder: string, file: string): string {
  // Before anything keys a map with it: the caller's spelling of the file is a cache key on the host's main thread.
  if (file.length > MAX_ENTRY_FILE_LENGTH) throw new RuntimeError("INVALID_REQUEST", `file must be at most ${MAX_ENTRY_FILE_LENGTH} characters`, { length: file.length, limit: MAX_ENTRY_FILE_LENGTH });
  const candidate = path.resolve(realFolder, file);
  if ((candidate !== realFolder && !candidate.startsWith(realFolder + path.sep)) || isReservedId(path.relative(realFolder, candidate))) {
    throw new RuntimeError("INVALID_REQUEST", `file "${clipText(file, MAX_QUOTED_TEXT)}" is outside the tenant folder`);
  }
  // path.resolve drops a trailing slash ("a.js/" would run a.js, where Node refuses it) and "." is the folder.
  if (candidate === realFolder || file.endsWith("/") || file.endsWith(path.sep)) {
    throw new RuntimeError("INVALID_REQUEST", `file "${clipText(file, MAX_QUOTED_TEXT)}" does not name a file in the tenant folder`);
  }
  return candidate;
}

/** Real paths through a graph load's memo (timed against its budget). */
function memoProbe(memo: StatMemo): FileProbe {
  return {
    isFile: (p) => memo.stat(p)?.isFile() ?? false,
    isDirectory: (p) => memo.stat(p)?.isDirectory() ?? false,
    realPath: (p) => memo.realPath(p),
    packageJson: () => undefined,
  };
}
