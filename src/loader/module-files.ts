import fs from "node:fs";
import path from "node:path";
import { MAX_TENANT_PATH_DEPTH } from "./real-path.js";
import { MODULE_EXTENSIONS } from "./resolve.js";

const EXTENSIONS: ReadonlySet<string> = new Set(MODULE_EXTENSIONS);

export interface ModuleFileWalk {
  /** Module and JSON files, absolute, in directory order (sorted by name when asked). */
  files: string[];
  /** Directories that could not be read, absolute. */
  unreadable: string[];
  /** Directories not entered because they are deeper than a tenant file may be, absolute. */
  tooDeep: string[];
  /** Entries named like module files that are neither files, directories nor links (a FIFO, a device), absolute. */
  special: string[];
}

export interface WalkLimits {
  /** Files listed at most. */
  maxFiles: number;
  /** Directory entries visited at most (a folder of 100,000 empty directories must not cost seconds). */
  maxEntries: number;
  sorted: boolean;
}

/**
 * The module files of a tenant folder, as the registry lists them and `tenantbox check` checks them:
 * node_modules, dot-entries and symbolic links are skipped (the runtime resolves links by real path when a
 * module is required), and nothing deeper than a tenant file may be is visited.
 */
export function walkModuleFiles(realFolder: string, limits: WalkLimits): ModuleFileWalk {
  const files: string[] = [];
  const unreadable: string[] = [];
  const tooDeep: string[] = [];
  const special: string[] = [];
  let visited = 0;
  const walk = (dir: string, depth: number) => {
    let handle: fs.Dir;
    try {
      handle = fs.opendirSync(dir);
    } catch {
      unreadable.push(dir);
      return;
    }
    const entries: fs.Dirent[] = [];
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (++visited > limits.maxEntries) break;
        entries.push(entry);
      }
    } finally {
      handle.closeSync();
    }
    if (limits.sorted) entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= limits.maxFiles) return;
      if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "node_modules") continue;
        if (depth < MAX_TENANT_PATH_DEPTH) walk(full, depth + 1);
        else tooDeep.push(full);
      } else if (EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        (entry.isFile() ? files : special).push(full);
      }
    }
  };
  walk(realFolder, 0);
  return { files, unreadable, tooDeep, special };
}
