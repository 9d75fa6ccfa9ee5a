import path from "node:path";
import { ByteBoundedCache } from "./byte-bounded-cache.js";
import { parsePackageJson, readPackageJson, resolveSpecifier, ResolveFailure, type FileProbe } from "./resolve.js";
import type { ResolutionKind } from "./package-exports.js";
import type { Stamp, StatMemo } from "./stat-memo.js";

interface Resolution {
  /** The real path the specifier resolved to, or why it did not. */
  found?: string;
  error?: string;
  /** What the answer depended on: directories whose entries were looked up, package.json files read. */
  dependsOn: [string, Stamp][];
  /** A symbolic link was followed on the way (its target is not among the stamps). */
  throughLink?: true;
}

const MAX_CACHE_BYTES = 32 * 1024 * 1024;
const MAX_PACKAGE_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Resolutions, kept until something they depended on changes (invariant 8: resolution is not repeated on
 * every call on the host). An answer depends on the entries of the directories it looked into (a file
 * added, removed or renamed there changes the directory's mtime) and on the package.json files it read;
 * checking those stamps is one memoized stat each. A stale answer could only name a path: the file read
 * behind it is checked again on its own (inside the folder, regular, one link).
 */
export class ResolutionCache {
  private readonly resolutions = new ByteBoundedCache<Resolution>(MAX_CACHE_BYTES);
  /** Parsed package.json fields by real path and stamp: a big package.json is parsed once per version. */
  private readonly packages = new ByteBoundedCache<{ stamp: Stamp; pkg?: unknown; error?: string }>(MAX_PACKAGE_CACHE_BYTES);

  /** `kind`: who asks, a CommonJS require or an ES import (package exports conditions differ: package-exports.ts). */
  resolve(realFolder: string, fromRealPath: string, specifier: string, memo: StatMemo, kind: ResolutionKind): string {
    const key = `${realFolder}\0${path.dirname(fromRealPath)}\0${kind}\0${specifier}`;
    let resolution = this.resolutions.get(key);
    if (!resolution || resolution.dependsOn.some(([p, stamp]) => memo.stamp(p) !== stamp)) {
      resolution = this.resolveRecorded(realFolder, fromRealPath, specifier, memo, kind);
      if (resolution.throughLink) {
        // A symlink's target can change without any directory this depends on changing: never kept, and
        // no graph built on it is either.
        memo.markVolatile();
        if (resolution.error !== undefined) throw new ResolveFailure(resolution.error);
        return resolution.found!;
      }
      let size = key.length + (resolution.found ?? resolution.error ?? "").length;
      for (const [p, stamp] of resolution.dependsOn) size += p.length + stamp.length + 16;
      this.resolutions.set(key, resolution, size);
    }
    for (const [p, stamp] of resolution.dependsOn) memo.depend(p, stamp);
    if (resolution.error !== undefined) throw new ResolveFailure(resolution.error);
    return resolution.found!;
  }

  private resolveRecorded(realFolder: string, fromRealPath: string, specifier: string, memo: StatMemo, kind: ResolutionKind): Resolution {
    const dependsOn = new Map<string, Stamp>();
    let throughLink = false;
    const lookedInto = (p: string) => {
      const dir = path.dirname(p);
      if (!dependsOn.has(dir)) dependsOn.set(dir, memo.stamp(dir));
    };
    const probe: FileProbe = {
      isFile: (p) => {
        lookedInto(p);
        return memo.stat(p)?.isFile() ?? false;
      },
      isDirectory: (p) => {
        lookedInto(p);
        return memo.stat(p)?.isDirectory() ?? false;
      },
      realPath: (p) => {
        const real = memo.realPath(p);
        if (real !== null && real !== p) throughLink = true;
        return real;
      },
      packageJson: (realFile, folder, shown) => {
        const stamp = memo.stamp(realFile);
        dependsOn.set(realFile, stamp);
        let entry = this.packages.get(realFile);
        if (!entry || entry.stamp !== stamp) {
          memo.beforeParse(Number(memo.stat(realFile)?.size ?? 0));
          const text = memo.timed(() => readPackageJson(realFile, folder, shown));
          // Parsed once per version, refusals too (a package.json nested too deeply is not scanned again
          // for every specifier that reaches it), and the parse is charged to the main thread's budget.
          const started = performance.now();
          let bytes: number;
          try {
            const parsed = parsePackageJson(text, shown);
            entry = { stamp, pkg: parsed.fields };
            bytes = parsed.bytes;
          } catch (error) {
            if (!(error instanceof ResolveFailure)) throw error;
            entry = { stamp, error: error.message };
            bytes = error.message.length;
          }
          this.packages.set(realFile, entry, realFile.length + bytes + 64);
          memo.charge(performance.now() - started);
        }
        if (entry.error !== undefined) throw new ResolveFailure(entry.error);
        return entry.pkg;
      },
    };
    try {
      const found = resolveSpecifier(realFolder, fromRealPath, specifier, probe, kind);
      return throughLink ? { found, dependsOn: [...dependsOn], throughLink: true } : { found, dependsOn: [...dependsOn] };
    } catch (error) {
      if (!(error instanceof ResolveFailure)) throw error;
      return throughLink ? { error: error.message, dependsOn: [...dependsOn], throughLink: true } : { error: error.message, dependsOn: [...dependsOn] };
    }
  }
}
