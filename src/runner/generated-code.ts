import { createHash } from "node:crypto";
import { ByteBoundedCache } from "../loader/byte-bounded-cache.js";
import { compileGeneratedFunction } from "../loader/code-generation.js";
import type { SecurityLevel } from "../security-levels.js";

/** The file name generated code's scripts are compiled under: not a tenant module, so its frames never show. */
export const GENERATED_SCRIPT = "tenantbox:generated";

/** Per invocation: what a template or schema compiler may generate (loader/code-generation.ts). */
export const MAX_GENERATED_FUNCTIONS = 10_000;
export const MAX_GENERATED_BYTES = 32 * 1024 * 1024;

/**
 * Generated code compiled by this worker, by its text and level: the same template compiled call after
 * call is checked and transformed once. Bounded in bytes (least recently used out).
 */
export class GeneratedCode {
  private readonly results = new ByteBoundedCache<{ wrapper: string } | { error: string }>(16 * 1024 * 1024);

  compile(source: string, level: SecurityLevel): { hash: string; wrapper: string } | { error: string } {
    const hash = "generated:" + createHash("sha256").update(level).update("\0").update(source).digest("base64url");
    let result = this.results.get(hash);
    if (!result) {
      result = compileGeneratedFunction(source, level);
      this.results.set(hash, result, 256 + 2 * ("wrapper" in result ? result.wrapper.length : result.error.length));
    }
    return "wrapper" in result ? { hash, wrapper: result.wrapper } : result;
  }
}
