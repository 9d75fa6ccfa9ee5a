import type * as acorn from "acorn";

type AnyNode = acorn.AnyNode;
type Visit = (node: AnyNode, ancestors: readonly AnyNode[]) => void;

/**
 * acorn-walk's `fullAncestor` written out as one switch: every node it reaches, children before their
 * parent, in its order, with the same ancestors (the node itself last), and the same nodes left out
 * (non-computed keys and member names, labels, export specifiers, a pattern's Property wrappers). The rule
 * walk runs on every module a tenant deploys, and acorn-walk's dispatch (a closure call and a lookup by
 * category name per step, several steps per node) cost as much as parsing the module. An unknown node
 * type throws, as acorn-walk's does: nothing is walked past unseen. test/ast-walk.test.ts holds the two to
 * the same visits.
 */
export function walkWithAncestors(root: AnyNode, visit: Visit): void {
  const ancestors: AnyNode[] = [];
  let last: AnyNode | undefined;
  const each = (nodes: ReadonlyArray<AnyNode | null | undefined>) => {
    for (const node of nodes) if (node) go(node);
  };
  const go = (node: AnyNode): void => {
    ancestors.push(node);
    const n = node as AnyNode & Record<string, any>;
    switch (node.type) {
      case "Program":
      case "BlockStatement":
      case "StaticBlock":
      case "ClassBody":
        each(n.body);
        break;
      case "EmptyStatement":
      case "BreakStatement":
      case "ContinueStatement":
      case "DebuggerStatement":
      case "ThisExpression":
      case "Super":
      case "MetaProperty":
      case "TemplateElement":
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
      case "Identifier":
      case "PrivateIdentifier":
      case "Literal":
        break;
      case "ExpressionStatement":
      case "ParenthesizedExpression":
      case "ChainExpression":
        go(n.expression);
        break;
      case "IfStatement":
      case "ConditionalExpression":
        go(n.test);
        go(n.consequent);
        if (n.alternate) go(n.alternate);
        break;
      case "LabeledStatement":
        go(n.body);
        break;
      case "WithStatement":
        go(n.object);
        go(n.body);
        break;
      case "SwitchStatement":
        go(n.discriminant);
        each(n.cases);
        break;
      case "SwitchCase":
        if (n.test) go(n.test);
        each(n.consequent);
        break;
      case "ReturnStatement":
      case "YieldExpression":
      case "AwaitExpression":
        if (n.argument) go(n.argument);
        break;
      case "ThrowStatement":
      case "SpreadElement":
      case "RestElement":
      case "UnaryExpression":
      case "UpdateExpression":
        go(n.argument);
        break;
      case "TryStatement":
        go(n.block);
        if (n.handler) go(n.handler);
        if (n.finalizer) go(n.finalizer);
        break;
      case "CatchClause":
        if (n.param) go(n.param);
        go(n.body);
        break;
      case "WhileStatement":
      case "DoWhileStatement":
        go(n.test);
        go(n.body);
        break;
      case "ForStatement":
        if (n.init) go(n.init);
        if (n.test) go(n.test);
        if (n.update) go(n.update);
        go(n.body);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        go(n.left);
        go(n.right);
        go(n.body);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (n.id) go(n.id);
        each(n.params);
        go(n.body);
        break;
      case "VariableDeclaration":
        each(n.declarations);
        break;
      case "VariableDeclarator":
        go(n.id);
        if (n.init) go(n.init);
        break;
      case "ArrayPattern":
      case "ArrayExpression":
        each(n.elements);
        break;
      case "ObjectPattern":
        // acorn-walk steps over a pattern's Property wrappers to their keys (computed only) and values.
        for (const prop of n.properties) {
          if (prop.type === "Property") {
            if (prop.computed) go(prop.key);
            go(prop.value);
          } else if (prop.type === "RestElement") go(prop.argument);
        }
        break;
      case "ObjectExpression":
        each(n.properties);
        break;
      case "SequenceExpression":
        each(n.expressions);
        break;
      case "TemplateLiteral":
        each(n.quasis);
        each(n.expressions);
        break;
      case "BinaryExpression":
      case "LogicalExpression":
      case "AssignmentExpression":
      case "AssignmentPattern":
        go(n.left);
        go(n.right);
        break;
      case "NewExpression":
      case "CallExpression":
        go(n.callee);
        if (n.arguments) each(n.arguments);
        break;
      case "MemberExpression":
        go(n.object);
        if (n.computed) go(n.property);
        break;
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
        if (n.declaration) go(n.declaration);
        if (n.source) go(n.source);
        if (n.attributes) each(n.attributes);
        break;
      case "ExportAllDeclaration":
        if (n.exported) go(n.exported);
        go(n.source);
        if (n.attributes) each(n.attributes);
        break;
      case "ImportAttribute":
        go(n.value);
        break;
      case "ImportDeclaration":
        each(n.specifiers);
        go(n.source);
        if (n.attributes) each(n.attributes);
        break;
      case "ImportExpression":
        go(n.source);
        if (n.options) go(n.options);
        break;
      case "TaggedTemplateExpression":
        go(n.tag);
        go(n.quasi);
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        if (n.id) go(n.id);
        if (n.superClass) go(n.superClass);
        go(n.body);
        break;
      case "MethodDefinition":
      case "PropertyDefinition":
      case "Property":
        if (n.computed) go(n.key);
        if (n.value) go(n.value);
        break;
      default:
        throw new Error(`No walker function defined for node type ${(node as { type: string }).type}`);
    }
    // As acorn-walk: one visit for a node reached twice in a row (a shorthand's key that is its value).
    if (last !== node) {
      visit(node, ancestors);
      last = node;
    }
    ancestors.pop();
  };
  go(root);
}
