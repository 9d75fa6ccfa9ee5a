import { randomBytes } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as acorn from "acorn";
import MagicString from "magic-string";
import { routeFunctionConstructor, scopeWithStatements } from "./code-generation.js";
import { requireBranchesSpecifier, requireContextSpecifier, requireOwnDirectorySpecifier } from "./require-context.js";
import { patternNames, rewriteImportReferences } from "./live-bindings.js";
import type { ParsedModule } from "./parse.js";
import { isTypeScript } from "./typescript.js";
import { positionMapOf, withPositionMap } from "./tenant-positions.js";
import { indexedNodes } from "./ast-index.js";
import { resolveOnlySpecifier } from "./resolve-only.js";
import { walkWithAncestors } from "./ast-walk.js";

/**
 * The wrapper every module becomes: one function expression, evaluated in the sandbox to get the module's
 * body as a function. Line 0 holds the header (the script is compiled with lineOffset -1), so tenant line
 * numbers in stack traces stay true.
 */
export const CJS_PARAMS = "exports, require, module, __filename, __dirname, __tenantbox_take";
/** How every ES module's wrapper starts (its guard parameters follow: Guards.params). */
export const ESM_HEAD = "(function (__tenantbox_import, __tenantbox_exports, ";

/**
 * The guards' names in one wrapper, and the text that uses them. The budget object, the guard functions
 * and the loop counter are named with a random suffix per transform: the rules refuse every `__tenantbox`
 * name, and should a parser ever read some text differently from the engine (code the rules never saw),
 * that code still could not name the budget to switch the guards off. A tenant can read the suffix (a function's
 * `toString`) but never write it into code compiled with it: each compile draws its own.
 */
interface Guards {
  suffix: string;
  /** The wrapper's guard parameters, in the order the sandbox hands them (sandbox/main.ts). */
  params: string;
  /**
   * CommonJS takes its guards from a one-shot function instead of parameters: a sloppy module's wrapper is
   * sloppy too, and a sloppy function's `.arguments` (reached through some function's `.caller`) would hand
   * out the budget object. Locals are out of reach; the take gives the guards once (a wrapper called again
   * with forged ones runs until the worker's hard stop: SECURITY.md, "Node's surface and library code").
   */
  take: string;
  // Entries: a decrement and a compare on a shared budget object, cheap enough for every call (measured: a
  // call through a guard function cost 5-10x more than this inline form).
  enter: string;
  /** The entry guard as the start of an expression (concise arrow bodies, default values, field values). */
  enterExpression: string;
  /**
   * Loop iterations. Counted exactly (maxIterations on): the shared budget, as entries. Else only the clock
   * is due now and then, and a counter local to the function is enough: the store to the shared budget at
   * every iteration was most of the guards' cost on tight loops (trial-division primes: 1.58x the raw loop,
   * the local counter 1.07x; `| 0` spares V8 an overflow check).
   */
  loop: string;
  /** What a function (or static block, or the module's top level) with loops of its own declares first. */
  frame: string;
  /**
   * The entry guard of a function or static block with loops of its own. Uncounted, such a function may
   * run FIRST_TICK - 1 iterations a call without a tick; its entries are charged more, so a caller calling
   * it in a loop reaches the clock after a few calls, not CHECK_EVERY (sandbox/main.ts).
   */
  enterFrame: string;
}

/**
 * Uncounted, a function call's loops look at the clock after their first FIRST_TICK iterations, then every
 * TICK_EVERY. Short loops (most calls) never reach it; a caller calling a function with loops again and
 * again reaches the clock through its entries (LOOP_FRAME_ENTRY_COST): at most about 32 x 64 loop bodies run
 * between two looks at the clock, across calls, and TICK_EVERY within one long call. What this gives up
 * (counts held by thousands of frames at once, loop bodies of more than ~0.5 ms: ended by the hard stop),
 * and why a shared check at every iteration was not taken: SECURITY.md, layer 2.
 */
const FIRST_TICK = 64;
const TICK_EVERY = 1024;
/**
 * What an entry to a function with loops of its own costs of the shared entry budget (127), uncounted. At
 * 16 (the clock every 8 calls) a short-loop helper called 2 million times took 41 ms instead of 31: the
 * clock's read costs about 40 ns.
 */
const LOOP_FRAME_ENTRY_COST = 4;

function guardsOf(suffix: string, countIterations: boolean): Guards {
  const [budget, enter, loop, tick, counter] = ["__tenantbox_b", "__tenantbox_enter", "__tenantbox_loop", "__tenantbox_tick", "__tenantbox_c"].map(
    (name) => name + suffix,
  );
  // The sandbox hands all six; a module uses the loop guard of its mode only, and the tick refuses to run
  // where iterations must be counted (a module compiled for another runtime's limits fails closed).
  const params = `${budget}, ${enter}, ${loop}, __tenantbox_Function, __tenantbox_with, ${tick}`;
  const entry = `if (--${budget}.n < 0) ${enter}();`;
  const frame = countIterations ? "" : `let ${counter} = ${FIRST_TICK};`;
  return {
    suffix,
    params,
    take: `const __tenantbox_g = __tenantbox_take(), ${params.split(", ").map((name, i) => `${name} = __tenantbox_g[${i}]`).join(", ")};`,
    enter: entry,
    enterExpression: `((--${budget}.n < 0 && ${enter}()), `,
    loop: countIterations
      ? `if (--${budget}.l < 0) ${loop}();`
      : // 1 while the tick runs, the full count only after it returns: once it has thrown (a limit tripped),
        // the function's next iteration calls it again and it throws again, as the shared budget does.
        // (`=== 0` ran the loop 1.07x raw, `<= 0` 1.2x.)
        `if ((${counter} = (${counter} - 1) | 0) === 0) { ${counter} = 1; ${tick}(); ${counter} = ${TICK_EVERY}; }`,
    frame,
    enterFrame: countIterations ? entry : `if ((${budget}.n -= ${LOOP_FRAME_ENTRY_COST}) < 0) ${enter}();${frame}`,
  };
}

export interface TransformedModule {
  /** The guards' random suffix: the wrapper without it is the same for the same module (its hash). */
  guardSuffix: string;
  /** A function expression, source text, starting with the header line. */
  wrapper: string;
  /** Specifiers the module loads (its imports, requires and literal import() calls), in order of first appearance. */
  specifiers: string[];
}

type AnyNode = acorn.AnyNode;

function keepNewlines(text: string): string {
  return text.replace(/[^\n]/g, "");
}

const isLineTerminator = (c: string | undefined) => c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";

/**
 * The offset of the first token at or after `pos`: whitespace and comments skipped (in scripts, HTML-like
 * comments too). Keywords the transform edits are found this way, never by searching the text for them: a
 * comment between two tokens may hold the same word (`export /*default/x/; code; *\/ default 1/g`), and an
 * edit there would turn the comment into code no rule saw and no guard counts.
 */
export function tokenStart(code: string, pos: number, script: boolean): number {
  let lineStart = pos === 0;
  for (let i = pos; i < code.length; ) {
    const c = code[i];
    if (isLineTerminator(c)) {
      lineStart = true;
      i++;
    } else if (c === " " || c === "\t" || c === "\v" || c === "\f" || c === "\u00a0" || c === "\ufeff" || /\p{Zs}/u.test(c!)) {
      i++;
    } else if (code.startsWith("//", i) || (script && (code.startsWith("<!--", i) || (lineStart && code.startsWith("-->", i))))) {
      while (i < code.length && !isLineTerminator(code[i])) i++;
    } else if (code.startsWith("/*", i)) {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) return code.length;
      for (let j = i + 2; j < end; j++) if (isLineTerminator(code[j])) lineStart = true;
      i = end + 2;
    } else {
      return i;
    }
  }
  return code.length;
}

/** The offset of the token `word` at or after `pos` (only whitespace and comments before it), or throws. */
function keywordAt(code: string, pos: number, word: string, script: boolean): number {
  const at = tokenStart(code, pos, script);
  if (!code.startsWith(word, at)) throw new Error(`transform: expected "${word}" at offset ${at}`);
  return at;
}

/** Where a function body's directives ("use strict", ...) end, or undefined when it has none. */
function directivePrologueEnd(statements: AnyNode[]): number | undefined {
  let end: number | undefined;
  for (const statement of statements) {
    if (statement.type !== "ExpressionStatement" || typeof (statement as { directive?: unknown }).directive !== "string") break;
    end = statement.end;
  }
  return end;
}

/** The statements that loop, and the nodes whose body is a frame of their own (a function, a static block). */
const LOOPS: ReadonlySet<string> = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
const FRAMES: ReadonlySet<string> = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "StaticBlock"]);

/**
 * Layer 2: a guard call at every loop iteration and every function entry. The guards are the cooperative
 * timeout (no watchdog thread per call) and the maxIterations counter; a tripped guard throws at every
 * later guard that runs (an uncounted loop's at its next tick), so no loop, recursion or promise chain
 * outlives its invocation's time by catching it.
 */
function addGuards(s: MagicString, parsed: ParsedModule, requires: Set<string> | undefined, guards: Guards): { topLevelLoops: boolean } {
  const nodes = indexedNodes(parsed);
  const framesWithLoops = guards.frame ? loopFrames(nodes) : { frames: new Set<AnyNode>(), topLevel: false };
  const entryGuard = (frame: AnyNode) => (framesWithLoops.frames.has(frame) ? guards.enterFrame : guards.enter);
  const loop = (body: acorn.Statement) => {
    if (body.type === "BlockStatement") s.appendLeft(body.start + 1, guards.loop);
    else {
      s.prependRight(body.start, "{" + guards.loop);
      s.appendLeft(body.end, "}");
    }
  };
  const enter = (fn: acorn.Function) => {
    const body = fn.body as AnyNode;
    if (body.type === "BlockStatement") {
      // After the directive prologue: a guard before "use strict" would end the prologue, and a function
      // of sloppy library code that the parser checked as strict would run sloppy.
      const prologueEnd = directivePrologueEnd(body.body as AnyNode[]);
      const guard = entryGuard(fn as AnyNode);
      if (prologueEnd === undefined) s.appendLeft(body.start + 1, guard);
      else s.appendLeft(prologueEnd, ";" + guard);
    } else {
      // Concise arrow body: keep it an expression.
      s.prependRight(body.start, guards.enterExpression);
      s.appendLeft(body.end, ")");
    }
  };
  // Creating a function or class runs nothing unbounded (its own code has its own guards), and wrapping it
  // would lose the name it infers from its binding (`cb = () => {}` is named "cb").
  const definesOnly = (node: AnyNode) =>
    node.type === "ArrowFunctionExpression" || node.type === "FunctionExpression" || node.type === "ClassExpression";
  // Default parameter values run before the body's guard (a generator's body may never run at all).
  const params = (fn: acorn.Function) => {
    for (const param of fn.params) {
      const p = param as AnyNode;
      if (p.type === "AssignmentPattern" && !definesOnly(p.right as AnyNode)) {
        s.prependRight(p.right.start, guards.enterExpression);
        s.appendLeft(p.right.end, ")");
      }
    }
  };
  // The rule walk recorded the nodes (ast-index.ts), in the order a walk would visit them.
  for (const n of nodes) {
    switch (n.type) {
      case "CallExpression": {
        if (!requires) break;
        const specifier = requireSpecifier(n) ?? requireContextSpecifier(n) ?? requireOwnDirectorySpecifier(n);
        if (specifier !== undefined) requires.add(specifier);
        else {
          const resolved = requireResolveSpecifier(n);
          if (resolved !== undefined) requires.add(resolveOnlySpecifier(resolved));
          else {
            const branches = requireBranchesSpecifier(n);
            if (branches !== undefined) requires.add(branches);
          }
        }
        break;
      }
      case "StaticBlock":
        s.appendLeft(keywordAt(s.original, n.start + "static".length, "{", parsed.format === "cjs") + 1, entryGuard(n));
        break;
      case "PropertyDefinition":
        if (n.value && !definesOnly(n.value as AnyNode)) {
          s.prependRight(n.value.start, guards.enterExpression);
          s.appendLeft(n.value.end, ")");
        }
        break;
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
      case "DoWhileStatement":
        loop(n.body);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        enter(n);
        params(n);
        break;
      case "CatchClause":
        cleanCaught(s, n, parsed.format === "cjs");
        break;
      case "AssignmentExpression":
        ownConstructor(s, n);
        break;
    }
  }
  return { topLevelLoops: framesWithLoops.topLevel };
}

/** The realm's helper for `x.constructor = v` (sandbox/own-constructor.ts): a global the validator keeps tenant code from naming. */
export const OWN_CONSTRUCTOR = "__tenantbox_ownConstructor";

/**
 * `x.constructor = v` hands x to the realm's helper first: where x would inherit `constructor` from a frozen
 * intrinsic that harden.ts leaves a data property (Array.prototype's and the typed arrays' prototypes': an
 * accessor there turns V8's species fast paths off for the whole process), the helper gives x an own
 * `constructor`, so the assignment makes x's own property as it would in an unfrozen realm instead of failing
 * on the frozen prototype (the "override mistake"). `ta.constructor = fn` on a Uint8Array is
 * typedarray.prototype.slice's feature test (traverse, exceljs); `List.prototype.constructor = List` an Array
 * subclass's. The assignment itself is left as it is.
 */
function ownConstructor(s: MagicString, n: acorn.AssignmentExpression): void {
  const target = n.left as AnyNode;
  if (n.operator !== "=" || target.type !== "MemberExpression" || target.object.type === "Super") return;
  const property = target.property as AnyNode;
  const named = target.computed ? property.type === "Literal" && property.value === "constructor" : property.type === "Identifier" && property.name === "constructor";
  if (!named) return;
  // Right-hand inserts: what the object's own rewrites put at the same offsets (a loop body's brace before it,
  // a concise arrow's closing parenthesis after it) nests outside and inside as it should.
  // A sequence is one argument only in parentheses of its own: `(a, b).constructor = v` is b's (red team
  // dec10: `OWN(a, b)` handed the helper a, which returned it, and the assignment went to a).
  const sequence = (target.object as AnyNode).type === "SequenceExpression";
  s.appendRight(target.object.start, `${OWN_CONSTRUCTOR}(${sequence ? "(" : ""}`);
  s.appendRight(target.object.end, sequence ? "))" : ")");
}

/** The realm's cleaner of caught values (sandbox/caught.ts): a global the validator keeps tenant code from naming. */
export const CAUGHT = "__tenantbox_caught";
const CAUGHT_BINDING = "__tenantbox_e";

/**
 * A catch clause's binding goes through the realm's cleaner before the block runs: at the very edge of the
 * stack, reading an error's `stack` runs Node's own stack formatter (a function of the worker's realm) and
 * overflows there, and the RangeError thrown is the worker's, whose constructor chain reaches its Function
 * (red team dec09, F3). A plain name is reassigned; a pattern is destructured from the cleaned value in a
 * block around the clause's own (whose names cannot clash with the pattern's: the parser refused that).
 */
function cleanCaught(s: MagicString, clause: acorn.CatchClause, script: boolean): void {
  const param = clause.param as AnyNode | null;
  if (!param) return;
  const body = clause.body;
  if (param.type === "Identifier") {
    s.appendLeft(body.start + 1, `${param.name} = ${CAUGHT}(${param.name});`);
    return;
  }
  const close = keywordAt(s.original, param.end, ")", script);
  s.appendLeft(param.start, `${CAUGHT_BINDING}) { let `);
  s.overwrite(close, close + 1, ` = ${CAUGHT}(${CAUGHT_BINDING});`);
  s.appendLeft(body.end, "}");
}

/**
 * The functions and static blocks that run loops of their own (not only in functions inside them), and
 * whether the module's top level does: each declares the loop counter its loops share. The index lists
 * children before their parent, so a frame's loops are the ones listed since the frame began.
 */
function loopFrames(nodes: readonly AnyNode[]): { frames: Set<AnyNode>; topLevel: boolean } {
  const frames = new Set<AnyNode>();
  const pendingLoopStarts: number[] = [];
  for (const n of nodes) {
    if (LOOPS.has(n.type)) pendingLoopStarts.push(n.start);
    else if (FRAMES.has(n.type)) {
      let own = false;
      while (pendingLoopStarts.length > 0 && pendingLoopStarts[pendingLoopStarts.length - 1]! >= n.start) {
        pendingLoopStarts.pop();
        own = true;
      }
      if (own) frames.add(n);
    }
  }
  return { frames, topLevel: pendingLoopStarts.length > 0 };
}

/** The literal specifier of a `require("x")` call, if the node is one. */
function requireSpecifier(node: acorn.CallExpression): string | undefined {
  const callee = node.callee as AnyNode;
  if (callee.type !== "Identifier" || callee.name !== "require") return undefined;
  return literalText(node.arguments[0] as AnyNode | undefined);
}

/** The text of a string literal or of a template literal without substitutions; undefined for anything else. */
function literalText(node: AnyNode | undefined): string | undefined {
  if (node?.type === "Literal" && typeof node.value === "string") return node.value;
  if (node?.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? "";
  return undefined;
}

/** The literal of `require.resolve("x")` (one argument: options could name other paths to search). */
function requireResolveSpecifier(node: acorn.CallExpression): string | undefined {
  const callee = node.callee as AnyNode;
  if (callee.type !== "MemberExpression" || callee.computed || callee.optional || node.arguments.length !== 1) return undefined;
  const object = callee.object as AnyNode;
  const property = callee.property as AnyNode;
  if (object.type !== "Identifier" || object.name !== "require" || property.type !== "Identifier" || property.name !== "resolve") return undefined;
  return literalText(node.arguments[0] as AnyNode);
}

/** Where an anonymous function declaration's parameters start: past `async`, `function`, `*` and comments. */
function parametersStart(code: string, start: number): number {
  let at = tokenStart(code, start, false);
  while (at < code.length && code[at] !== "(") {
    if (code[at] === "*") at++;
    else if (code.startsWith("async", at)) at += "async".length;
    else if (code.startsWith("function", at)) at += "function".length;
    else throw new Error(`transform: expected "(" at offset ${at}`);
    at = tokenStart(code, at, false);
  }
  return at;
}

function moduleName(node: acorn.Identifier | acorn.Literal): string {
  return node.type === "Identifier" ? node.name : String(node.value);
}

/**
 * `checkNames`: each import asks for the names it reads, and the realm throws Node's SyntaxError ("does not
 * provide an export named") when an ES module it imports lacks one. Not for TypeScript: strip-only leaves
 * `import { SomeType }` of a type in place, which tsc's own output drops.
 */
function transformEsm(parsed: ParsedModule, s: MagicString, checkNames: boolean): { header: string; specifiers: string[] } {
  const specifiers: string[] = [];
  /** The header's import lines in order: a namespace alias as it is, a module's import written at the end (with every name read from it). */
  const imports: (string | { variable: string; spec: string })[] = [];
  const getters: string[] = [];
  const stars: string[] = [];
  const moduleVars = new Map<string, string>();
  /** Module variable -> the names the module reads from it. */
  const namesRead = new Map<string, Set<string>>();
  let defaultName = "";
  /** Imported name -> the namespace read that replaces each reference (live bindings). */
  const live = new Map<string, string>();
  /** Imported name -> its module variable and the name it imports there. */
  const importedFrom = new Map<string, [string, string]>();
  /**
   * Exports that are another module's binding (`export { x } from`, an imported name exported):
   * the module system follows them to the binding itself, so that a binding `export *` reaches by two paths is
   * one, not ambiguous (Node's ResolveExport).
   */
  const reexports: string[] = [];
  const reexport = (exported: string, m: string, name: string) => reexports.push(`[${JSON.stringify(exported)}, ${m}, ${JSON.stringify(name)}]`);
  const moduleVar = (spec: string): string => {
    let name = moduleVars.get(spec);
    if (!name) {
      name = `__tenantbox_m${moduleVars.size}`;
      moduleVars.set(spec, name);
      specifiers.push(spec);
      namesRead.set(name, new Set());
      imports.push({ variable: name, spec });
    }
    return name;
  };
  const reads = (m: string, name: string) => namesRead.get(m)!.add(name);
  // A computed key: a literal `"__proto__": ...` in an object literal sets its prototype instead of making a
  // property, and `export { x as "__proto__" }` was lost (Node exports it).
  const getterNames: string[] = [];
  const getter = (exported: string, expression: string) => {
    getterNames.push(exported);
    getters.push(`[${JSON.stringify(exported)}]: () => ${expression}`);
  };
  // A declaration that goes leaves a semicolon: it ended the statement before it (by ASI, when that one has
  // none), and the next line may begin with a token that would continue it (`let g = 1` newline `import ...;`
  // newline `/ 1; code; a = a /g`: a regular expression in the module, a division and code in the wrapper).
  const blank = (node: acorn.Node) => s.overwrite(node.start, node.end, ";" + keepNewlines(parsed.code.slice(node.start, node.end)));

  for (const node of parsed.ast.body) {
    switch (node.type) {
      case "ImportDeclaration": {
        const m = moduleVar(String(node.source.value));
        for (const spec of node.specifiers) {
          // A namespace imported and exported is this module's own binding (Node: ambiguous against `export * as`).
          if (spec.type === "ImportNamespaceSpecifier") imports.push(`const ${spec.local.name} = ${m};`);
          else if (spec.type === "ImportDefaultSpecifier") {
            live.set(spec.local.name, `${m}.default`);
            importedFrom.set(spec.local.name, [m, "default"]);
            reads(m, "default");
          } else {
            live.set(spec.local.name, `${m}[${JSON.stringify(moduleName(spec.imported))}]`);
            importedFrom.set(spec.local.name, [m, moduleName(spec.imported)]);
            reads(m, moduleName(spec.imported));
          }
        }
        blank(node);
        break;
      }
      case "ExportNamedDeclaration": {
        if (node.declaration) {
          const decl = node.declaration;
          const names = new Set<string>();
          if (decl.type === "VariableDeclaration") for (const d of decl.declarations) patternNames(d.id as AnyNode, names);
          else if (decl.id) names.add(decl.id.name);
          for (const name of names) getter(name, name);
          s.remove(node.start, decl.start);
        } else if (node.source) {
          const m = moduleVar(String(node.source.value));
          for (const spec of node.specifiers) {
            getter(moduleName(spec.exported), `${m}[${JSON.stringify(moduleName(spec.local))}]`);
            reexport(moduleName(spec.exported), m, moduleName(spec.local));
            reads(m, moduleName(spec.local));
          }
          blank(node);
        } else {
          for (const spec of node.specifiers) {
            const local = moduleName(spec.local);
            getter(moduleName(spec.exported), live.get(local) ?? local);
            const from = importedFrom.get(local);
            if (from) reexport(moduleName(spec.exported), from[0], from[1]);
          }
          blank(node);
        }
        break;
      }
      case "ExportDefaultDeclaration": {
        const decl = node.declaration;
        if ((decl.type === "FunctionDeclaration" || decl.type === "ClassDeclaration") && decl.id) {
          getter("default", decl.id.name);
          s.remove(node.start, decl.start);
        } else if (decl.type === "FunctionDeclaration") {
          // An anonymous default function stays a hoisted declaration (a circular importer may call it
          // before this module's body ran); it is named "default", as in ES modules.
          getter("default", "__tenantbox_default");
          s.remove(node.start, decl.start);
          s.appendLeft(parametersStart(parsed.code, decl.start), " __tenantbox_default");
          defaultName = "__tenantbox_exports.name(__tenantbox_default);";
        } else {
          getter("default", "__tenantbox_default");
          // Only the two keywords: the expression may begin with a parenthesis that decl.start leaves out.
          const keywordsEnd = keywordAt(parsed.code, node.start + "export".length, "default", false) + "default".length;
          s.overwrite(node.start, keywordsEnd, "const __tenantbox_default =");
          // An anonymous class or function expression is named "default", not after our binding.
          s.appendLeft(node.end, (parsed.code[node.end - 1] !== ";" ? ";" : "") + "__tenantbox_exports.name(__tenantbox_default);");
        }
        break;
      }
      case "ExportAllDeclaration": {
        const m = moduleVar(String(node.source.value));
        // `export * as n` is this module's own binding, as V8 has it (two of them of one module conflict in Node).
        if (node.exported) getter(moduleName(node.exported), m);
        else stars.push(m);
        blank(node);
        break;
      }
    }
  }
  rewriteImportReferences(parsed.ast, s, live);
  // Exports are registered first, as getters, so a circular import sees hoisted functions; in code-unit order of
  // their names, as a module namespace's keys are (Object.keys, for...in and JSON.stringify of `import * as ns`:
  // log-symbols' `export * as default` of its four symbols listed them in declaration order). Sorted here, once per
  // version, not when each call instantiates the module; names an `export *` adds come after them.
  const order = getters.map((_, i) => i).sort((x, y) => (getterNames[x]! < getterNames[y]! ? -1 : getterNames[x]! > getterNames[y]! ? 1 : 0));
  const header =
    `__tenantbox_exports.define({ ${order.map((i) => getters[i]).join(", ")} });` +
    defaultName +
    imports
      .map((line) => {
        if (typeof line === "string") return line;
        const names = namesRead.get(line.variable)!;
        return `const ${line.variable} = __tenantbox_import(${JSON.stringify(line.spec)}${checkNames && names.size ? `, ${JSON.stringify([...names])}` : ""});`;
      })
      .join(" ") +
    (reexports.length > 0 ? `__tenantbox_exports.via([${reexports.join(", ")}]);` : "") +
    (stars.length > 0 ? `__tenantbox_exports.star([${stars.join(", ")}]);` : "");
  return { header, specifiers };
}

/** What every `import(...)` of a module calls instead: the realm's import of the module's own dependencies. */
const DYNAMIC_IMPORT = "__tenantbox_dynamic_import";

/**
 * Every `import(...)` becomes a call of the realm's own import (sandbox/modules.ts), which loads only the
 * module's validated dependencies: no native import() is left for the engine to run (no host module loader is
 * reachable that way, whatever the specifier). A literal specifier joins the module's specifiers, so the graph
 * resolves and validates its module with the rest; a computed one (library code only: the rules refuse it in
 * a tenant's) resolves among those or rejects. Returns the literal specifiers and whether there was any call.
 */
function rewriteDynamicImports(parsed: ParsedModule, s: MagicString): { specifiers: string[]; used: boolean } {
  // A set, not an array's includes: a module of 100,000 different literal import() calls made that quadratic, a
  // loader thread's whole deadline (the per-module specifier limit is checked after the transform).
  const specifiers = new Set<string>();
  let used = false;
  for (const node of indexedNodes(parsed)) {
    if (node.type !== "ImportExpression") continue;
    const at = keywordAt(parsed.code, node.start, "import", parsed.format === "cjs");
    // Content only: a guard put before the call (a concise arrow's body) stays.
    s.overwrite(at, at + "import".length, DYNAMIC_IMPORT, { contentOnly: true });
    used = true;
    const source = node.source as AnyNode;
    const specifier = source.type === "Literal" && typeof source.value === "string" ? source.value : source.type === "TemplateLiteral" && source.expressions.length === 0 ? (source.quasis[0]?.value.cooked ?? "") : undefined;
    if (specifier !== undefined) specifiers.add(specifier);
  }
  if (used && parsed.sloppy) endLetStatements(parsed, s);
  return { specifiers: [...specifiers], used };
}

/**
 * Sloppy code may name a variable `let`; a statement of that name alone ends where the next line cannot go on
 * with it (`let` newline `import` newline `("./x.js")`: the engine inserts a `;`, as `let import` declares
 * nothing). Once `import` is a name, `let __tenantbox_dynamic_import` is a declaration and the call is gone
 * (`("./x.js")` left as an expression): such a statement gets its `;` written out before the rewrite's name.
 */
function endLetStatements(parsed: ParsedModule, s: MagicString): void {
  walkWithAncestors(parsed.ast as AnyNode, (node) => {
    if (node.type !== "ExpressionStatement" || node.expression.type !== "Identifier" || node.expression.name !== "let") return;
    if (parsed.code[node.end - 1] !== ";") s.appendLeft(node.end, ";");
  });
}

/** The name a library ES module's `import.meta` becomes. */
const IMPORT_META = "__tenantbox_import_meta";

/**
 * A library ES module's `import.meta` (cbor-x and msgpackr load through `createRequire(import.meta.url)`): each
 * becomes a plain object of the module instance, made fresh with it, that says where the module lies in the
 * tenant folder (its root is "/", as for `require.resolve`) and nothing of the host's module system. Returns
 * its declaration, or "" when the module does not use it.
 */
function importMetaOf(parsed: ParsedModule, s: MagicString, moduleId: string): string {
  // From the tree (comments may stand between its tokens: `import /* x */ . meta`), as the rule walk indexed it.
  let used = false;
  for (const node of indexedNodes(parsed)) {
    if (node.type !== "MetaProperty" || node.meta.name !== "import") continue;
    s.overwrite(node.start, node.end, IMPORT_META, { contentOnly: true });
    used = true;
  }
  if (!used) return "";
  const filename = "/" + moduleId;
  const dirname = filename.slice(0, filename.lastIndexOf("/")) || "/";
  // A literal: no global is read (the module may bind `Object` itself), and the prototype is null as Node's is.
  return `const ${IMPORT_META} = { __proto__: null, url: ${JSON.stringify(pathToFileURL(filename).href)}, filename: ${JSON.stringify(filename)}, dirname: ${JSON.stringify(dirname)} };`;
}

/**
 * Turns a validated module into the function the sandbox runs, with the map of the tenant positions it
 * moved. `countIterations`: its loops count against maxIterations (the runtime has it on); `library`: its
 * `Function` references go through code generation; `generated`: code generation's own output, whose
 * `with` statements get a scope object (loader/code-generation.ts), and which carries no map (it is no
 * tenant file); `firstLineColumnShift`: characters on line 1 that are not the tenant's (an inline script's
 * wrapper).
 */
export function transformModule(
  parsed: ParsedModule,
  options: { countIterations: boolean; library?: boolean; generated?: boolean; firstLineColumnShift?: number; moduleId?: string },
): TransformedModule {
  const s = new MagicString(parsed.code);
  const requires = parsed.format === "cjs" ? new Set<string>() : undefined;
  const guards = guardsOf(`_${randomBytes(4).toString("hex")}`, options.countIterations);
  const topLevel = addGuards(s, parsed, requires, guards).topLevelLoops ? guards.frame : "";
  if (options.library || options.generated) routeFunctionConstructor(parsed.ast, s, parsed.code);
  if (options.generated) scopeWithStatements(parsed.ast, s);
  const dynamic = rewriteDynamicImports(parsed, s);
  let wrapper: string;
  let specifiers: string[];
  if (parsed.format === "cjs") {
    for (const specifier of dynamic.specifiers) requires!.add(specifier);
    specifiers = [...requires!];
    // The parse-only strict directive line goes; the wrapper has its own.
    s.remove(0, parsed.prefixLength);
    const strict = parsed.sloppy ? "" : '"use strict";';
    // The take gives this module's import with 1 (sandbox/modules.ts), its guards once without.
    const importer = dynamic.used ? `const ${DYNAMIC_IMPORT} = __tenantbox_take(1);` : "";
    wrapper = `(function (${CJS_PARAMS}) {${strict}${guards.take}${importer}${topLevel}\n${s.toString()}\n})`;
  } else {
    const esm = transformEsm(parsed, s, !isTypeScript(path.extname(options.moduleId ?? "").toLowerCase()));
    specifiers = esm.specifiers;
    const known = new Set(specifiers);
    for (const specifier of dynamic.specifiers) if (!known.has(specifier)) specifiers.push(specifier);
    // Validation refuses import.meta in a tenant's own modules; a library's gets an object of its own.
    const meta = options.library ? importMetaOf(parsed, s, options.moduleId ?? "") : "";
    const importer = dynamic.used ? `const ${DYNAMIC_IMPORT} = __tenantbox_exports.dynamicImport;` : "";
    // Before the header: its imports may run a cycle back into this module's functions, which read it.
    wrapper = `${ESM_HEAD}${guards.params}) {"use strict";${importer}${meta}${esm.header}${topLevel}\n${s.toString()}\n})`;
  }
  if (options.generated) return { guardSuffix: guards.suffix, wrapper, specifiers };
  return { guardSuffix: guards.suffix, wrapper: withPositionMap(wrapper, positionMapOf(s, parsed.lineShift, options.firstLineColumnShift ?? 0)), specifiers };
}

