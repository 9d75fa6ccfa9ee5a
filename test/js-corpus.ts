import fs from "node:fs";
import path from "node:path";

/** Real JavaScript the loader parses, for tests that hold two implementations to the same result. */
export const CORPUS_ROOT = path.resolve(__dirname, "..");

function filesUnder(dir: string, into: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, into);
    else if (/\.(?:c|m)?js$/.test(entry.name) && fs.statSync(full).size < 512 * 1024) into.push(full);
  }
  return into;
}

/**
 * The realm's built-in bundles (npm polyfills), npm packages in several styles (CommonJS, ESM, generated,
 * hand-written) and the examples: the files, sorted.
 */
export function corpusFiles(): string[] {
  const dirs = [
    "dist/builtins",
    "examples/modules",
    "test/compat/tenant/checks",
    ...["fastify/lib", "ajv/dist/compile", "pako/lib", "readable-stream/lib", "@noble/hashes/esm", "magic-string/dist", "acorn/dist", "chokidar", "jose/dist/webapi/jws"].map(
      (p) => `node_modules/${p}`,
    ),
  ].map((dir) => path.join(CORPUS_ROOT, dir));
  return dirs.filter((dir) => fs.existsSync(dir)).flatMap((dir) => filesUnder(dir).sort());
}

/** Hand-picked corners of the grammar: [extension, text]; the last ones do not parse. */
export const CORNER_CASES: Array<[string, string]> = [
  // HTML-like comments: comments in the script grammar, operators in a module's.
  [".cjs", "x = 1 <!-- y\n"],
  [".cjs", "x = 1;\n--> comment\ny = 2"],
  [".cjs", "/* a\n*/ --> c\nz"],
  [".cjs", "x /*\n*/ --> y"],
  [".mjs", "let a = 1, b = 2; a <!--b;\nexport { a };"],
  [".mjs", "let a = 1, b = 2;\na-->b;\nexport { a };"],
  // Sloppy library code and Annex B.
  [".cjs", "if (a) function f(){}\nlabel: function g(){}\nwith (o) { x }\n'\\07'; delete x; var let = 1;"],
  // Regular expression or division, ASI.
  [".cjs", "x = y / 2 / 1; z = {} / 1 / g\nif (a) /re/.test(b)\na\n++b\nq = r\n(s)\nx\n/foo/g.exec(y)"],
  [".cjs", "a = b ? .5 : c; a ||= b; c &&= d; e ??= f; x = a++ / 2; y = `${b}${`${c}`}`; t = tag`a${b}c`"],
  [".cjs", "class A { static { this.x = 1 } #p = 1; static #q() {} get [k]() {} m() { return #p in this } }"],
  [".cjs", "({ get [a]() {}, set b(v) {}, async *c() {}, __proto__: null, 'd': 1, 2: 3 }); var \\u{1d4d0} = 1; 1_000n + 0x1_0 + 0o7 + .1e-2"],
  [".cjs", "async function f() { for await (const x of y) {} await using r = s; } function* g() { yield* h(); }"],
  [".cjs", "/(?<a>x)|(?<a>y)/; /[\\p{L}--\\p{N}]/v; /a/dgimsuy; /[/]/"],
  [".cjs", "return; 'use strict'"],
  [".cjs", "class B extends (0, A) { constructor(...a) { super(...a); } } lbl: for (;;) { continue lbl; } const { a: [x = 1, , ...r], [k]: v, ...o } = obj; switch (k) { case 1: break; default: } try {} catch {} finally {} do ; while (0); for (const q in o); debugger;"],
  [".mjs", "import x, { y as z, 'w' as v } from 'm'; import * as ns from 'n' with { type: 'json' }; export * as q from 'p'; export default class {}; await import.meta.resolve('x');"],
  [".js", "// import and export are words here only\nmodule.exports = function () { return 1 };"],
  [".js", "import fs from 'fs';\nexport const a = fs;"],
  // Syntax errors: acorn's messages and positions either way.
  [".cjs", "let x = ;"],
  [".mjs", "export default 1;\nexport default 2;"],
  [".js", "import x from 'y';\nreturn x;"],
  [".js", "// export\nfunction (a) {}"],
  [".cjs", "'use strict'; with (a) {}"],
  [".cjs", "a ?? b || c"],
  [".cjs", "@dec class A {}"],
  [".cjs", "x = <div/>"],
];
