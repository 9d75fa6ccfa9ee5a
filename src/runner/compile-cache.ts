import vm from "node:vm";
import { positionMapText, tenantPosition, type PositionMap } from "../loader/tenant-positions.js";
import { CJS_PARAMS, ESM_HEAD } from "../loader/transform.js";
import { refuseDynamicImport } from "./dynamic-import.js";

/** A strict CommonJS wrapper's header as transform.ts writes it (tenant text comes after the header only). */
const STRICT_CJS_HEADER = `(function (${CJS_PARAMS}) {"use strict";`;

/** Whether transform.ts made the wrapper strict: a strict CommonJS header, or an ES module's (always strict). */
function isStrictWrapper(source: string): boolean {
  return source.startsWith(STRICT_CJS_HEADER) || source.startsWith(ESM_HEAD);
}

/**
 * Compiled module wrappers by content hash (which covers the module id, so a hash has one file name). A
 * vm.Script is not tied to a context, so one compilation serves every fresh context of this worker. Bounded by entries and source size (least recently used out).
 */
export class CompileCache {
  /**
   * Entries: more than one graph can hold (2,000 tenant modules, module-graph.ts, and the built-ins behind them).
   * At 2,000, a graph of 1,996 modules requiring five built-ins ran once, then never again on that process: its
   * next call compiled the versions evicted since (their sources sent again) and so evicted others the call held
   * compiled (sent without their sources), "a module version was evicted before it ran" (review dec11).
   */
  static readonly MAX_ENTRIES = 4096;
  private readonly scripts = new Map<string, { script: vm.Script; size: number; strict: boolean; positions?: string | PositionMap }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = CompileCache.MAX_ENTRIES,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get(hash: string, filename: string, source: string): { script: vm.Script; strict: boolean } {
    const hit = this.scripts.get(hash);
    if (hit) {
      this.scripts.delete(hash);
      this.scripts.set(hash, hit);
      return hit;
    }
    // A version sent without its source was held when the run began; it cannot be compiled from nothing.
    if (source === "") throw new Error("a module version was evicted before it ran");
    // lineOffset -1: the wrapper's header sits on line 0, so tenant line numbers stay true.
    const script = new vm.Script(source, {
      filename,
      lineOffset: -1,
      // Validation refuses import(); should one ever get through, it fails with a primitive, not a host
      // error object (whose constructor chain would lead to the host's Function): dynamic-import.ts.
      importModuleDynamically: refuseDynamicImport,
    });
    const entry = { script, size: source.length, strict: isStrictWrapper(source), positions: positionMapText(source) };
    this.scripts.set(hash, entry);
    this.bytes += source.length;
    while (this.scripts.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldest, evicted] = this.scripts.entries().next().value!;
      this.scripts.delete(oldest);
      this.bytes -= evicted.size;
    }
    return entry;
  }

  /**
   * Whether a version is compiled here; if so it becomes the most recently used, so compiling the rest of a
   * graph (which fits the cache) cannot evict it before it is used.
   */
  touch(hash: string): boolean {
    const hit = this.scripts.get(hash);
    if (!hit) return false;
    this.scripts.delete(hash);
    this.scripts.set(hash, hit);
    return true;
  }

  /** A position in a version's wrapper as the tenant's own line and column; as it is when the version has no map. */
  position(hash: string, line: number, column: number): { line: number; column: number } {
    const entry = this.scripts.get(hash);
    if (entry?.positions === undefined) return { line, column };
    // Parsed on the first stack that needs it: most versions never format one.
    if (typeof entry.positions === "string") entry.positions = JSON.parse(entry.positions) as PositionMap;
    return tenantPosition(entry.positions, line, column);
  }

  get cachedBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.scripts.size;
  }
}
