import { createHash } from "node:crypto";
import vm from "node:vm";
import { ByteBoundedCache } from "../loader/byte-bounded-cache.js";
import { CompileRate } from "./compile-rate.js";
import { compileGeneratedFunction } from "../loader/code-generation.js";
import { CJS_PARAMS } from "../loader/transform.js";
import { refuseDynamicImport } from "./dynamic-import.js";
import { parseGeneratedCodeWithMeriyah } from "./embedded-meriyah.js";
import type { SecurityLevel } from "../security-levels.js";

/** The file name generated code's scripts are compiled under: not a tenant module, so its frames never show. */
export const GENERATED_SCRIPT = "tenantbox:generated";

/** Per invocation: what a template or schema compiler may generate (loader/code-generation.ts). */
export const MAX_GENERATED_FUNCTIONS = 10_000;
export const MAX_GENERATED_BYTES = 32 * 1024 * 1024;
/**
 * The largest text one Function() call compiles. Compiling (parse, rules, guards, V8) is one step of the
 * sandbox process that no guard interrupts, at about 1 ms per 1-5 KB: 3.5 MB took 2.2 s and ran a 500 ms
 * call to the hard stop. Generated validators and templates are far smaller.
 */
export const MAX_GENERATED_FUNCTION_BYTES = 256 * 1024;

const WRAPPER_HEAD = `(function (${CJS_PARAMS}) {`;
const WRAPPER_TAIL = "\n})";
const PARAMS = CJS_PARAMS.split(", ");

/**
 * Generated code compiled by this worker, by its text, level and loop counting: the same template compiled call after
 * call is checked and transformed once (a refusal is checked again each time). Bounded in bytes (least recently used out).
 */
export class GeneratedCode {
  private readonly results = new ByteBoundedCache<{ body: string }>(16 * 1024 * 1024);
  /** 200 KB took 30-100 ms on one machine and 300-400 ms on a slower one: until a big text was compiled here, the fast machine's rate. */
  private readonly rate = new CompileRate(0.25);


  /**
   * The wrapper of generated code as a function of the realm. Compiled with vm.compileFunction, which runs
   * nothing: op "compile" comes while tenant code runs, and evaluating a script in the realm then would
   * drain its microtask queue (tenant promise jobs) under the worker's frames. `outOfTime(expectedMs)` is
   * asked first, with how long checking and transforming the text would take here (0 when it is compiled
   * already): a step no guard interrupts is not started when it would end past the deadline.
   */
  compile(
    source: string,
    level: SecurityLevel,
    countIterations: boolean,
    realm: object,
    outOfTime: (expectedMs: number) => boolean,
    /** Whose text it is (the invocation): its texts move the estimate once (compile-rate.ts). */
    caller?: object,
  ): ((...args: unknown[]) => unknown) | { error: string } {
    const hash = createHash("sha256").update(level).update(countIterations ? "\0counted\0" : "\0").update(source).digest("base64url");
    let result: { body: string } | { error: string } | undefined = this.results.get(hash);
    if (outOfTime(result ? 0 : (source.length / 1024) * this.rate.msPerKiBFor(caller))) return { error: "invocation timed out" };
    if (!result) {
      parseGeneratedCodeWithMeriyah();
      const started = performance.now();
      const compiled = compileGeneratedFunction(source, level, countIterations);
      // Texts under 4 KiB say little about the rate (fixed costs): only bigger ones move the estimate.
      if (source.length >= 4096) this.rate.record(performance.now() - started, source.length, caller);
      result = "error" in compiled ? compiled : { body: compiled.wrapper.slice(WRAPPER_HEAD.length, compiled.wrapper.length - WRAPPER_TAIL.length) };
      // A refusal is not kept: it may say more of the stack than of the text. Op "compile" runs on the stack
      // of the tenant code that called Function(), as deep as that code chose, and the parser, the rules and
      // the transform recurse: at the edge of the stack a text that compiles is refused (too deeply nested,
      // a regular expression's stack overflow), and kept, that refusal was every later caller's, any tenant's
      // in this worker (red team dec09b: one tenant made `Function("return this")` an EvalError for all).
      // A text that compiles compiles at any depth (nothing on the way takes a stack overflow for an answer).
      if ("body" in result) this.results.set(hash, result, 256 + 2 * result.body.length);
    }
    if ("error" in result) return result;
    try {
      return vm.compileFunction(result.body, PARAMS, { parsingContext: realm, filename: GENERATED_SCRIPT, importModuleDynamically: refuseDynamicImport }) as (...args: unknown[]) => unknown;
    } catch (error) {
      return { error: error instanceof SyntaxError ? `generated code does not compile: ${error.message}` : "generated code could not be compiled" };
    }
  }
}
