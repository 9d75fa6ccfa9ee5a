import { ResolveFailure } from "./resolve.js";
import type { TaskModule } from "../runner/protocol.js";

/**
 * A CommonJS module's `require.resolve("literal")` (art-template resolves its own files to pass their paths on):
 * the transform records it as one marked specifier, and the graph walks resolve it like a require, record its
 * path among the module's dependencies, and go no further: the file is neither read nor loaded, so the call
 * answers its path (from the tenant folder's root, as require.resolve does) and a `require` of the same
 * specifier that the transform did not see finds no module, as any computed require of a module outside the graph.
 * A specifier the module also requires is an ordinary dependency (the walks let that one decide).
 */
const MARK = "\0resolve\0";

export function resolveOnlySpecifier(specifier: string): string {
  return MARK + specifier;
}

/** The specifier a resolve-only mark stands for, or undefined for any other specifier. */
export function resolvedOnly(specifier: string): string | undefined {
  return specifier.startsWith(MARK) ? specifier.slice(MARK.length) : undefined;
}

/** A resolve-only specifier's dependency: its path, or the resolver's refusal (MODULE_NOT_FOUND when called). */
export function resolveOnlyDependency(resolve: () => TaskModule["deps"][string]): TaskModule["deps"][string] {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof ResolveFailure)) throw error;
    return { error: error.message };
  }
}
