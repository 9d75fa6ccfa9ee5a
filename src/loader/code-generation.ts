import type * as acorn from "acorn";
import * as walk from "acorn-walk";
import type MagicString from "magic-string";
import { levelRank, type SecurityLevel } from "../security-levels.js";
import { transformModule } from "./transform.js";
import { checkModule } from "./validate.js";
import { indexedNodes } from "./ast-index.js";

/**
 * Code generation from strings (`new Function(...)`, what schema and template compilers do). The realm's
 * own Function constructor stays disabled (codeGeneration: { strings: false }); library code's references
 * to it are routed to the runtime's replacement (routeFunctionConstructor), which hands the text to
 * the worker through the one host function. The worker compiles it here, off the host's main thread, as
 * library code: the same pre-scan, parse, rules and guards as a module (so the time limit holds inside
 * generated code too), and evaluates the wrapper in the realm. Direct `eval` stays refused (it would need
 * the caller's scope). Allowed at STANDARD and PERMISSIVE; SECURE and STRICT refuse it with an EvalError.
 */
export const CODE_GENERATION_UP_TO: SecurityLevel = "STANDARD";

export function codeGenerationAllowed(level: SecurityLevel): boolean {
  return levelRank(level) <= levelRank(CODE_GENERATION_UP_TO);
}

/** The router library code's `Function` references go through (a wrapper parameter: transform.ts Guards.params). */
export const FUNCTION_ROUTER = "__tenantbox_Function";

/** The names library code reaches the global object by, to read `Function` from it (`new globalThis.Function(...)`). */
const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set(["globalThis", "global", "self", "window"]);

/**
 * Rewrites every reference to `Function` in library code to `(__tenantbox_Function(Function))`: the realm's
 * router, which gives the replacement for the realm's own Function constructor and anything else back as
 * it is. So a file's own binding of the name (css-tree's `const Function = require("./Function")`) keeps
 * working, and an alias of the global (lodash's `Function = context.Function`) still reaches the replacement.
 * A read of `Function` from the global object by name (`globalThis.Function`, `global["Function"]`: TypeBox's
 * compiler; or through a choice between its names, `(typeof globalThis !== "undefined" ? globalThis : global).eval`)
 * is routed the same way; a write to it is left as it is. So is every read of `eval` that is not a
 * direct call (`(0, eval)("this")`, doT's way to the global object; `globalThis.eval(text)`): the router gives
 * the realm's indirect eval of an expression for it (sandbox/code-generation.ts).
 */
export function routeFunctionConstructor(ast: acorn.Program, s: MagicString, code: string): void {
  if (!/\b(?:Function|eval)\b/.test(code)) return;
  // Innermost of whatever else is inserted at the same offsets (a loop body's braces and guard, put there first).
  const route = (node: acorn.Node, ancestors: readonly acorn.Node[]) => {
    s.appendRight(node.start, `${startsListedStatement(node, ancestors) ? ";" : ""}(${FUNCTION_ROUTER}(`);
    s.prependLeft(node.end, "))");
  };
  walk.ancestor(ast, {
    Identifier(node, _state, ancestors) {
      const id = node as acorn.Identifier;
      if (id.name !== "Function" && id.name !== "eval") return;
      const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined;
      // `eval(...)` is a direct eval (the realm refuses it: it would need the caller's scope), and a write to
      // the name stays one; every other read of eval (`(0, eval)(...)`, `var e = eval`, `eval?.(...)`) is routed.
      if (id.name === "eval" && ((parent?.type === "CallExpression" && parent.callee === id && !parent.optional) || isWriteTarget(id, ancestors))) return;
      const routed = `${startsListedStatement(id, ancestors) ? ";" : ""}(${FUNCTION_ROUTER}(${id.name}))`;
      // `{ Function }` and `{ eval }` keep their keys.
      s.overwrite(id.start, id.end, parent?.type === "Property" && parent.shorthand ? `${id.name}: ${routed}` : routed, { contentOnly: true });
    },
    MemberExpression(node, _state, ancestors) {
      const member = node as acorn.MemberExpression;
      if (!namesGlobalObject(member.object as acorn.AnyNode, 0)) return;
      const property = member.property;
      const named = member.computed
        ? property.type === "Literal" && (property.value === "Function" || property.value === "eval")
        : property.type === "Identifier" && (property.name === "Function" || property.name === "eval");
      if (!named || isWriteTarget(member, ancestors)) return;
      route(member, ancestors);
    },
  });
}

/**
 * Whether an expression names the global object: one of its names, or a choice between such names
 * (json-logic-engine's `(typeof globalThis !== 'undefined' ? globalThis : global).eval(text)`, `(self || global)`),
 * nested at most 4 deep. Reading a member through the router changes nothing but the realm's Function and eval.
 */
function namesGlobalObject(node: acorn.AnyNode, depth: number): boolean {
  if (node.type === "Identifier") return GLOBAL_OBJECT_NAMES.has(node.name);
  if (depth >= 4) return false;
  if (node.type === "ConditionalExpression") return namesGlobalObject(node.consequent as acorn.AnyNode, depth + 1) && namesGlobalObject(node.alternate as acorn.AnyNode, depth + 1);
  if (node.type === "LogicalExpression") return namesGlobalObject(node.left as acorn.AnyNode, depth + 1) && namesGlobalObject(node.right as acorn.AnyNode, depth + 1);
  if ((node as { type: string }).type === "ParenthesizedExpression") return namesGlobalObject((node as unknown as { expression: acorn.AnyNode }).expression, depth + 1);
  return false;
}

/** Whether a member expression is written to (assigned, updated, deleted, a loop's or a pattern's target): left as it is. */
function isWriteTarget(node: acorn.Node, ancestors: readonly acorn.Node[]): boolean {
  // Through `(...)` and `?.` chains: `delete globalThis?.Function` deletes.
  let at = ancestors.length - 2;
  let child = node;
  while (at >= 0 && ((ancestors[at] as acorn.AnyNode).type === "ChainExpression" || (ancestors[at] as acorn.AnyNode).type === "ParenthesizedExpression")) child = ancestors[at--]!;
  const parent = ancestors[at] as acorn.AnyNode | undefined;
  if (!parent) return false;
  node = child;
  switch (parent.type) {
    case "AssignmentExpression":
    case "ForInStatement":
    case "ForOfStatement":
      return parent.left === node;
    case "UpdateExpression":
      return true;
    case "UnaryExpression":
      return parent.operator === "delete";
    case "AssignmentPattern":
      return parent.left === node;
    case "ArrayPattern":
    case "ObjectPattern":
    case "RestElement":
      // acorn-walk visits an object pattern's values and rest arguments with the pattern as their parent (its
      // Property nodes are never ancestors).
      return true;
    default:
      return false;
  }
}

/**
 * Whether a name begins an expression statement of a statement list. There the routed name's "(" would
 * continue the statement before, when that one relies on ASI (`var b = function () {}` newline
 * `Function.prototype...` called b); the ";" in front ends it, as ASI did (live-bindings.ts does the same for
 * imported callees). Only in a list: `if (c) Function()` must keep its body.
 */
function startsListedStatement(id: acorn.Node, ancestors: readonly acorn.Node[]): boolean {
  for (let i = ancestors.length - 2; i >= 1; i--) {
    const node = ancestors[i] as acorn.AnyNode;
    if (node.start !== id.start) return false;
    if (node.type === "ExpressionStatement") {
      const list = ancestors[i - 1] as acorn.AnyNode;
      return list.type === "Program" || list.type === "BlockStatement" || list.type === "StaticBlock" || list.type === "SwitchCase";
    }
  }
  return false;
}

/** The realm's scope maker for `with` in generated code (a wrapper parameter: transform.ts Guards.params). */
export const WITH_SCOPE = "__tenantbox_with";

/** `with (data) ...` becomes `with (__tenantbox_with(data)) ...`. */
export function scopeWithStatements(ast: acorn.Program, s: MagicString): void {
  walk.simple(ast, {
    WithStatement(node) {
      s.prependRight(node.object.start, `${WITH_SCOPE}(`);
      s.appendLeft(node.object.end, ")");
    },
  });
}

const PREFIX = "module.exports = ";

/**
 * Compiles generated code (the text the realm's Function replacement builds, as the spec does:
 * `(function anonymous(params\n) {\nbody\n})`) as a library CommonJS module whose exports are the
 * function; or says why not. The parameters and the body must make exactly that one function: text that
 * closes it early (`}); more code; (function () {`) is refused, as the Function constructor refuses it.
 */
export function compileGeneratedFunction(source: string, level: SecurityLevel, countIterations: boolean): { wrapper: string } | { error: string } {
  if (!codeGenerationAllowed(level)) return { error: `code generation from strings is not allowed at security level ${level}` };
  const code = `${PREFIX}${source};`;
  const checked = checkModule(code, ".cjs", level, "library");
  const firstError = checked.result.issues.find((issue) => issue.severity === "error" && issue.rule !== "no-with");
  if (!checked.parsed || firstError) return { error: `generated code refused: ${firstError ? `${firstError.rule}: ${firstError.message}` : "it does not parse"}` };
  // Code made at run time has no module graph of its own to import from: import() stays refused there.
  if (indexedNodes(checked.parsed).some((node) => node.type === "ImportExpression")) return { error: "generated code refused: no-dynamic-import: import() is not available in code compiled at run time" };
  const statement = checked.parsed.ast.body[0];
  const fn = statement?.type === "ExpressionStatement" && statement.expression.type === "AssignmentExpression" ? statement.expression.right : undefined;
  const headerEnd = source.indexOf("\n) {\n");
  const whole =
    checked.parsed.ast.body.length === 1 &&
    fn?.type === "FunctionExpression" &&
    fn.start === PREFIX.length + 1 &&
    fn.end === PREFIX.length + source.length - 1 &&
    fn.body.start === PREFIX.length + headerEnd + 3;
  if (!whole) return { error: "generated code refused: its parameters or body do not make one function" };
  try {
    return { wrapper: transformModule(checked.parsed, { countIterations, generated: true }).wrapper };
  } catch {
    return { error: "generated code refused: too deeply nested to transform" };
  }
}
