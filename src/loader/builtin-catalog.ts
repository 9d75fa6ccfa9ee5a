import { RuntimeError } from "../errors.js";
import type { TaskModule } from "../runner/protocol.js";
import type { SecurityLevel } from "../security-levels.js";
import { builtinDependency, bundleOf, placeholderSource } from "./builtins.js";
import type { CompiledVersion } from "./compile.js";
import type { LoaderPool } from "./loader-pool.js";

/** The scheduler's tenant name for compiling built-ins (they are the runtime's, compiled once per process). */
const BUILTINS_TENANT = "tenantbox:builtins";

/**
 * The built-in module polyfills (builtins.ts), compiled once per process on a loader thread (parsed and
 * transformed with the time guards like tenant code) and added to every graph that needs them. A few
 * hundred kilobytes in all, shipped to each sandbox process once (by hash, like tenant versions).
 */
export class BuiltinCatalog {
  private readonly versions = new Map<string, Promise<CompiledVersion>>();

  constructor(
    private readonly pool: LoaderPool,
    private readonly securityLevel: SecurityLevel,
    private readonly countIterations: boolean,
  ) {}

  /**
   * Appends to `modules` every bundled built-in their dependencies name (and `roots`, ids of built-ins the
   * graph needs without a dependency naming them), and the built-ins those need.
   */
  async addTo(modules: TaskModule[], roots: string[] = []): Promise<void> {
    const queue: string[] = [];
    const seen = new Set<string>();
    const visit = (deps: TaskModule["deps"]) => {
      for (const dep of Object.values(deps)) {
        if (!("id" in dep) || seen.has(dep.id) || !dep.id.startsWith("node:") || (bundleOf(dep.id) === undefined && placeholderSource(dep.id) === undefined)) continue;
        seen.add(dep.id);
        queue.push(dep.id);
      }
    };
    for (const module of modules) visit(module.deps);
    visit(Object.fromEntries(roots.map((id) => [id, { id }])));
    while (queue.length) {
      const id = queue.shift()!;
      const version = await this.version(id);
      const deps: TaskModule["deps"] = Object.create(null);
      for (const specifier of version.specifiers) deps[specifier] = builtinDependency(specifier, true) ?? { error: `cannot find module "${specifier}"` };
      modules.push({ id, format: "cjs", hash: version.hash, source: version.source, deps });
      visit(deps);
    }
  }

  private version(id: string): Promise<CompiledVersion> {
    let version = this.versions.get(id);
    if (!version) {
      // A placeholder's source is made here (a few names); a bundle is read by the loader thread.
      const code = placeholderSource(id) ?? "";
      version = this.pool.compile(BUILTINS_TENANT, { kind: "builtin", code, id, securityLevel: this.securityLevel, scoring: false, countIterations: this.countIterations }).then((compiled) => {
        if (!compiled.rejection) return compiled;
        // A loader thread that was busy or out of memory: the next graph tries again.
        this.versions.delete(id);
        throw new RuntimeError("INTERNAL_ERROR", `built-in module "${id}" could not be compiled: ${compiled.rejection[0]?.message ?? "refused"}`);
      });
      this.versions.set(id, version);
    }
    return version;
  }
}
