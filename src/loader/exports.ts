import type * as acorn from "acorn";
import { indexedNodes } from "./ast-index.js";
import type { ParsedModule } from "./parse.js";

type AnyNode = acorn.AnyNode;

/** What a module exports, as far as reading it (not running it) can tell. */
export interface StaticExports {
  names: string[];
  /** False when CommonJS assigns module.exports something whose keys cannot be read statically. */
  complete: boolean;
}

function memberName(node: AnyNode): string | undefined {
  if (node.type !== "MemberExpression") return undefined;
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  return undefined;
}

const isIdentifier = (node: AnyNode, name: string) => node.type === "Identifier" && node.name === name;
const isModuleExports = (node: AnyNode) => node.type === "MemberExpression" && isIdentifier(node.object as AnyNode, "module") && memberName(node) === "exports";

/** Export names of an ES module (exact) or a CommonJS module (exports.x, module.exports = { ... } / fn). */
export function staticExports(parsed: ParsedModule): StaticExports {
  const names = new Set<string>();
  let complete = true;
  if (parsed.format === "esm") {
    for (const node of parsed.ast.body) {
      if (node.type === "ExportDefaultDeclaration") names.add("default");
      else if (node.type === "ExportNamedDeclaration") {
        const decl = node.declaration;
        if (decl?.type === "VariableDeclaration") {
          for (const d of decl.declarations) if (d.id.type === "Identifier") names.add(d.id.name);
        } else if (decl && "id" in decl && decl.id) names.add(decl.id.name);
        for (const spec of node.specifiers) {
          names.add(spec.exported.type === "Identifier" ? spec.exported.name : String(spec.exported.value));
        }
      } else if (node.type === "ExportAllDeclaration") {
        if (node.exported) names.add(node.exported.type === "Identifier" ? node.exported.name : String(node.exported.value));
        else complete = false;
      }
    }
    return { names: [...names], complete };
  }
  // The rule walk recorded the assignments (ast-index.ts).
  for (const node of indexedNodes(parsed)) {
    if (node.type !== "AssignmentExpression") continue;
    const left = node.left as AnyNode;
    // exports.x = ... / module.exports.x = ...
    if (left.type === "MemberExpression") {
      const object = left.object as AnyNode;
      const name = memberName(left);
      if (name && (isIdentifier(object, "exports") || isModuleExports(object))) {
        names.add(name);
        continue;
      }
    }
    // module.exports = ...
    if (!isModuleExports(left)) continue;
    const right = node.right as AnyNode;
    if (right.type === "ObjectExpression") {
      for (const prop of right.properties) {
        if (prop.type !== "Property") {
          complete = false;
          continue;
        }
        const key = prop.key as AnyNode;
        if (!prop.computed && key.type === "Identifier") names.add(key.name);
        else if (key.type === "Literal") names.add(String(key.value));
        else complete = false;
      }
    } else if (right.type === "FunctionExpression" || right.type === "ArrowFunctionExpression" || right.type === "ClassExpression") {
      names.add("default");
    } else {
      complete = false;
    }
  }
  return { names: [...names], complete };
}
