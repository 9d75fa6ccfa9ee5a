import type * as acorn from "acorn";
import { walkWithAncestors } from "./ast-walk.js";
import type { ParsedModule } from "./parse.js";

type AnyNode = acorn.AnyNode;

/** The node types the transform (guards, require specifiers, import(), a library's import.meta) and the export reader act on. */
const INDEXED_TYPES = new Set<string>([
  "CallExpression",
  "StaticBlock",
  "PropertyDefinition",
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "AssignmentExpression",
  "MetaProperty",
  "ImportExpression",
  "CatchClause",
]);

/** Called by the rule walk for every node it passes: keeps the ones a later step acts on. */
export function indexNode(index: AnyNode[], node: AnyNode): void {
  if (INDEXED_TYPES.has(node.type)) index.push(node);
}

/**
 * The module's nodes of INDEXED_TYPES, children before their parent, in the order acorn-walk's walkers
 * (simple, full, fullAncestor) visit them. The rule walk records them as it goes, so the transform and the
 * export reader need no walk of their own (each walk over a 10 KB module cost about a fifth of its whole
 * compile); a module the rules did not walk (a built-in) is walked here once.
 */
export function indexedNodes(parsed: ParsedModule): readonly AnyNode[] {
  if (!parsed.indexed) {
    const index: AnyNode[] = [];
    walkWithAncestors(parsed.ast as AnyNode, (node) => indexNode(index, node));
    parsed.indexed = index;
  }
  return parsed.indexed;
}
