import vm from "node:vm";
import type { parse } from "meriyah";
import meriyahSource from "tenantbox:meriyah-umd";
import { meriyahParserOf } from "../loader/meriyah-parser.js";
import { installFastParser } from "../loader/parse.js";

let installed = false;

/**
 * Generated code (a library's `new Function`) is parsed by meriyah here too, as tenant files are on the
 * loader threads: acorn's regular-expression-or-division guesses hid code from the rules and the guards
 * (test/hostile/parser-differentials.test.ts), and a library can hand `new Function` any text. Meriyah
 * comes in the bundle as text (its UMD build) and is evaluated when a process first compiles generated
 * code: loaded at start, it cost every sandbox process 9 ms of CPU, and most never generate code.
 */
export function parseGeneratedCodeWithMeriyah(): void {
  if (installed) return;
  const module = { exports: {} as { parse?: typeof parse } };
  vm.compileFunction(meriyahSource, ["exports", "module"], { filename: "tenantbox:meriyah" })(module.exports, module);
  if (typeof module.exports.parse !== "function") throw new Error("tenantbox: the bundled meriyah did not load");
  installFastParser(meriyahParserOf(module.exports.parse));
  installed = true;
}
