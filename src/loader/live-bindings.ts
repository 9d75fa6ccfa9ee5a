import type * as acorn from "acorn";
import * as walk from "acorn-walk";
import type MagicString from "magic-string";

type AnyNode = acorn.AnyNode;
/** acorn-walk's callback; its third argument (the node type to visit as) is missing from the typings. */
type Visit<S> = (node: acorn.Node, state: S, override?: string) => void;

/** Every name a binding pattern declares (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
export function patternNames(pattern: AnyNode | null | undefined, out: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case "Identifier":
      out.add(pattern.name);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) patternNames((p.type === "RestElement" ? p.argument : p.value) as AnyNode, out);
      break;
    case "ArrayPattern":
      for (const e of pattern.elements) patternNames(e as AnyNode | null, out);
      break;
    case "RestElement":
      patternNames(pattern.argument as AnyNode, out);
      break;
    case "AssignmentPattern":
      patternNames(pattern.left as AnyNode, out);
      break;
  }
}

/** Names a statement list declares for its own block: let, const, class, and (strict mode) functions. */
function lexicalNames(statements: readonly AnyNode[], out: Set<string>, includeVar: boolean): void {
  for (const statement of statements) {
    if (statement.type === "VariableDeclaration" && (includeVar || statement.kind !== "var")) {
      for (const d of statement.declarations) patternNames(d.id as AnyNode, out);
    } else if ((statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") && statement.id) {
      out.add(statement.id.name);
    }
  }
}

/** `var` names anywhere in a function body, nested functions excluded: they belong to the function's scope. */
function varNames(body: AnyNode, out: Set<string>): void {
  walk.recursive(body as acorn.Node, null, {
    Function() {},
    VariableDeclaration(node, st, cb) {
      const c = cb as unknown as Visit<null>;
      if (node.kind === "var") for (const d of node.declarations) patternNames(d.id as AnyNode, out);
      for (const d of node.declarations) if (d.init) c(d.init, st, "Expression");
    },
  });
}

/**
 * ES module imports are live: `import { count } from "./counter.js"` must see the exporter's later updates.
 * Every reference to an imported name that no inner scope shadows becomes a read of the exporter's
 * namespace object (`__tenantbox_m0.count`), whose properties are getters over the exporter's bindings.
 */
export function rewriteImportReferences(ast: acorn.Program, s: MagicString, bindings: ReadonlyMap<string, string>): void {
  if (bindings.size === 0) return;
  // A rewritten callee at the very start of an expression statement begins with "(": after a previous
  // statement that relied on ASI (`const o = {}` newline `f(o)`) it would continue that statement. The
  // walk below notes each statement list's expression statements before it enters them (only a list's:
  // `if (c) f() else ...` must stay as it is).
  const statementStarts = new Set<number>();
  const listed = (statements: readonly AnyNode[]) => {
    for (const statement of statements) if (statement.type === "ExpressionStatement") statementStarts.add(statement.start);
  };
  const guard = (start: number) => (statementStarts.has(start) ? ";" : "");
  type Shadowed = ReadonlySet<string>;
  const shadow = (shadowed: Shadowed, names: Set<string>): Shadowed => {
    let next: Set<string> | undefined;
    for (const name of names) {
      if (bindings.has(name) && !shadowed.has(name)) (next ??= new Set(shadowed)).add(name);
    }
    return next ?? shadowed;
  };
  const resolve = (name: string, shadowed: Shadowed) => (shadowed.has(name) ? undefined : bindings.get(name));

  walk.recursive(ast as acorn.Node, new Set<string>() as Shadowed, {
    Program(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      listed(node.body as AnyNode[]);
      for (const statement of node.body) c(statement as acorn.Node, st, "Statement");
    },
    ImportDeclaration() {},
    ExportAllDeclaration() {},
    ExportNamedDeclaration(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      if (node.declaration) c(node.declaration, st);
    },
    Function(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const names = new Set<string>(["arguments"]);
      if (node.type === "FunctionExpression" && node.id) names.add(node.id.name);
      for (const param of node.params) patternNames(param as AnyNode, names);
      if (node.body.type === "BlockStatement") {
        varNames(node.body as AnyNode, names);
        lexicalNames(node.body.body as AnyNode[], names, false);
      }
      const inner = shadow(st, names);
      for (const param of node.params) c(param, inner, "Pattern");
      c(node.body, inner, node.expression ? "Expression" : "Statement");
    },
    BlockStatement(node, st, cb) {
      block(node.body as AnyNode[], st, cb as unknown as Visit<Shadowed>, false);
    },
    StaticBlock(node, st, cb) {
      // A static block is a function-like scope: its `var`s stay inside it.
      block(node.body as AnyNode[], st, cb as unknown as Visit<Shadowed>, true);
    },
    SwitchStatement(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      c(node.discriminant, st, "Expression");
      const names = new Set<string>();
      for (const cs of node.cases) lexicalNames(cs.consequent as AnyNode[], names, false);
      const inner = shadow(st, names);
      for (const cs of node.cases) {
        listed(cs.consequent as AnyNode[]);
        if (cs.test) c(cs.test, inner, "Expression");
        for (const statement of cs.consequent) c(statement, inner, "Statement");
      }
    },
    ForStatement(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const names = new Set<string>();
      if (node.init?.type === "VariableDeclaration" && node.init.kind !== "var") lexicalNames([node.init as AnyNode], names, false);
      const inner = shadow(st, names);
      if (node.init) c(node.init, inner, node.init.type === "VariableDeclaration" ? "Statement" : "Expression");
      if (node.test) c(node.test, inner, "Expression");
      if (node.update) c(node.update, inner, "Expression");
      c(node.body, inner, "Statement");
    },
    ForInStatement(node, st, cb) {
      forInOf(node, st, cb as unknown as Visit<Shadowed>);
    },
    ForOfStatement(node, st, cb) {
      forInOf(node, st, cb as unknown as Visit<Shadowed>);
    },
    CatchClause(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const names = new Set<string>();
      patternNames(node.param as AnyNode | null, names);
      const inner = shadow(st, names);
      if (node.param) c(node.param, inner, "Pattern");
      c(node.body, inner, "Statement");
    },
    Class(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const names = new Set<string>();
      if (node.id) names.add(node.id.name);
      const inner = shadow(st, names);
      if (node.superClass) c(node.superClass, inner, "Expression");
      c(node.body, inner);
    },
    Property(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      if (node.computed) c(node.key, st, "Expression");
      const value = node.value as AnyNode;
      if (node.shorthand && value.type === "Identifier") {
        const target = resolve(value.name, st);
        // `{ count }` must keep its key: it becomes `{ count: __tenantbox_m0.count }`.
        if (target) s.overwrite(value.start, value.end, `${value.name}: ${target}`, { contentOnly: true });
        return;
      }
      c(node.value, st, "Expression");
    },
    Identifier(node, st) {
      const target = resolve(node.name, st);
      if (target) s.overwrite(node.start, node.end, target, { contentOnly: true });
    },
    // `g()` on an imported g must not run with the namespace as `this`: call `(0, ns.g)()` instead.
    CallExpression(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const callee = node.callee as AnyNode;
      const target = callee.type === "Identifier" ? resolve(callee.name, st) : undefined;
      if (target) s.overwrite(callee.start, callee.end, `${guard(callee.start)}(0, ${target})`, { contentOnly: true });
      else c(node.callee, st, "Expression");
      for (const arg of node.arguments) c(arg, st, "Expression");
    },
    TaggedTemplateExpression(node, st, cb) {
      const c = cb as unknown as Visit<Shadowed>;
      const tag = node.tag as AnyNode;
      const target = tag.type === "Identifier" ? resolve(tag.name, st) : undefined;
      if (target) s.overwrite(tag.start, tag.end, `${guard(tag.start)}(0, ${target})`, { contentOnly: true });
      else c(node.tag, st, "Expression");
      c(node.quasi, st, "Expression");
    },
  });

  function block(statements: AnyNode[], st: Shadowed, c: Visit<Shadowed>, includeVar: boolean) {
    listed(statements);
    const names = new Set<string>();
    lexicalNames(statements, names, includeVar);
    const inner = shadow(st, names);
    for (const statement of statements) c(statement as acorn.Node, inner, "Statement");
  }

  function forInOf(node: acorn.ForInStatement | acorn.ForOfStatement, st: Shadowed, c: Visit<Shadowed>) {
    const names = new Set<string>();
    if (node.left.type === "VariableDeclaration" && node.left.kind !== "var") lexicalNames([node.left as AnyNode], names, false);
    const inner = shadow(st, names);
    c(node.left, inner, node.left.type === "VariableDeclaration" ? "Statement" : "Pattern");
    c(node.right, inner, "Expression");
    c(node.body, inner, "Statement");
  }
}
