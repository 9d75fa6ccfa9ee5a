import type * as acorn from "acorn";
import { walkWithAncestors } from "./ast-walk.js";
import { LEVEL_DEFAULTS, levelRank, type SecurityLevel } from "../security-levels.js";
import { clipText, fileIssue, hasErrors, MAX_QUOTED_TEXT, type ValidationIssue, type ValidationResult } from "./issues.js";
import { parseModule, ParseFailure, type ModuleFormat, type ParsedModule } from "./parse.js";
import { relaxedInLibrary } from "./library-profile.js";
import { prescan } from "./prescan.js";
import { isTypeScript, stripTypes } from "./typescript.js";
import { indexNode } from "./ast-index.js";
import { LineIndex } from "./line-index.js";
import { HOST_GLOBALS, REFLECTION_PROPERTIES, RULES, STACK_PROPERTIES, type Finding, type RuleId } from "./rules.js";

type AnyNode = acorn.AnyNode;

/**
 * A group with no group inside that contains a quantifier and is itself quantified: (a+)+, (\w*)*, (x+){2,}.
 * One pass over the pattern: the checker of catastrophic patterns must not be one (a regular expression
 * for this backtracked for seconds on `(` followed by 48,000 `+`).
 */
export function hasNestedQuantifier(pattern: string): boolean {
  let inGroup = false;
  let quantified = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
    } else if (c === "(") {
      inGroup = true;
      quantified = false;
    } else if (c === ")") {
      const next = pattern[i + 1];
      if (inGroup && quantified && (next === "+" || next === "*" || next === "{")) return true;
      inGroup = false;
    } else if (inGroup && (c === "+" || c === "*" || (c === "}" && pattern[i - 1] === ","))) {
      quantified = true;
    }
  }
  return false;
}

function propertyName(node: acorn.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  if (node.property.type === "TemplateLiteral" && node.property.expressions.length === 0) {
    return node.property.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

/** The globals the no-reflection rule names (read as names, as the global object's members, or destructured). */
const REFLECTION_GLOBALS: ReadonlySet<string> = new Set(["Proxy", "Reflect"]);

/** A property's key as a name (`a` in `{ a: 1 }` and `{ "a": x } = o`); undefined for a computed key. */
function keyName(property: acorn.Property | acorn.AssignmentProperty): string | undefined {
  const key = property.key as AnyNode;
  return key.type === "Identifier" && !property.computed ? key.name : key.type === "Literal" ? String(key.value) : undefined;
}

function isStringLiteral(node: AnyNode | undefined): boolean {
  if (!node) return false;
  if (node.type === "Literal") return typeof node.value === "string";
  return node.type === "TemplateLiteral" && node.expressions.length === 0;
}

function insideOrdinaryFunction(ancestors: readonly AnyNode[]): boolean {
  return ancestors.some((a) => a.type === "FunctionDeclaration" || a.type === "FunctionExpression");
}

function insideFunction(ancestors: readonly AnyNode[]): boolean {
  return ancestors.some(
    (a) => a.type === "FunctionDeclaration" || a.type === "FunctionExpression" || a.type === "ArrowFunctionExpression",
  );
}

/**
 * Walks the AST once and reports every rule finding, whatever the level; severity is decided later. `index`
 * gets the nodes later steps act on (ast-index.ts), so that they need no walk of their own.
 */
export function findRuleViolations(ast: acorn.Program, format: ModuleFormat, code: string, index: AnyNode[] = []): Finding[] {
  const findings: Finding[] = [];
  const report = (rule: RuleId, message: string, node: acorn.Node, name?: string) => findings.push(name === undefined ? { rule, message, node } : { rule, message, node, name });

  const checkPropertyName = (property: acorn.Property | acorn.AssignmentProperty, name: string | undefined) => {
    if (name === "__proto__") report("no-proto", "__proto__ is not allowed", property);
    if (name?.startsWith("__tenantbox")) report("no-reserved-identifier", `property "${clipText(name, MAX_QUOTED_TEXT)}" is reserved`, property);
  };

  walkWithAncestors(ast as AnyNode, (n, ancestors) => {
    indexNode(index, n);
    const parent = ancestors[ancestors.length - 2];
    switch (n.type) {
      case "Identifier": {
        const name = n.name;
        if (name.startsWith("__tenantbox")) report("no-reserved-identifier", `identifier "${clipText(name, MAX_QUOTED_TEXT)}" is reserved`, n);
        if (name === "eval") report("no-eval", "eval is not allowed: compute the value in code, or read data with JSON.parse", n);
        if (name === "require") {
          const isStaticCall =
            parent?.type === "CallExpression" &&
            parent.callee === n &&
            parent.arguments.length === 1 &&
            isStringLiteral(parent.arguments[0] as AnyNode);
          if (format === "esm") report("static-require", "require is not available in ES modules; use import", n);
          else if (!isStaticCall) report("static-require", "require must be called with one string literal", n);
        }
        if (name === "arguments" && !insideOrdinaryFunction(ancestors)) {
          report("no-module-arguments", "arguments is not available at module level", n);
        }
        if (HOST_GLOBALS.has(name)) report("no-host-globals", `"${name}" is a host global and does not exist in the sandbox`, n);
        if (REFLECTION_GLOBALS.has(name)) report("no-reflection", `${name} is not allowed at this security level`, n);
        break;
      }
      case "Literal":
        if (typeof n.value === "string" && n.value.startsWith("__tenantbox")) {
          report("no-reserved-identifier", `string "${n.value.slice(0, 40)}" names a reserved identifier`, n);
        }
        if ("regex" in n && n.regex && hasNestedQuantifier(n.regex.pattern)) {
          report("no-catastrophic-regex", "regular expression with a nested quantifier can backtrack exponentially (ReDoS)", n);
        }
        break;
      case "CallExpression":
      case "NewExpression": {
        const callee = n.callee as AnyNode;
        if (callee.type === "Identifier" && (callee.name === "Function" || callee.name === "AsyncFunction")) {
          report("no-function-constructor", `${callee.name}(...) compiles code from a string`, n);
        }
        if (callee.type === "Identifier" && callee.name === "RegExp") {
          const pattern = n.arguments[0] as AnyNode | undefined;
          if (pattern?.type === "Literal" && typeof pattern.value === "string" && hasNestedQuantifier(pattern.value)) {
            report("no-catastrophic-regex", "regular expression with a nested quantifier can backtrack exponentially (ReDoS)", n);
          }
        }
        if (callee.type === "Identifier" && (callee.name === "setTimeout" || callee.name === "setInterval")) {
          if (isStringLiteral(n.arguments[0] as AnyNode)) report("no-string-timer", `${callee.name} needs a function, not a string`, n);
        }
        break;
      }
      case "UpdateExpression":
        // In a module, `a <!--b` is `a < !(--b)`; the engine compiles the module's transformed text as a script,
        // where `<!--` starts a comment anywhere on a line. Refuse the spelling outright. A postfix `a-->b` reads
        // the same in both grammars: `-->` is a comment in a script only first on its line (after nothing but
        // white space and comments), and a postfix `--` has its operand before it on the same line (no line
        // terminator may come between them), so it is never first (`for (; i-->0;)`, faker's bundles).
        if (format === "esm" && n.operator === "--" && n.prefix && code.slice(n.start - 2, n.start) === "<!") {
          report("no-html-comment", "write `<!--` with spaces: it starts an HTML-like comment in scripts", n);
        }
        break;
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
        // The walk does not enter specifiers (as acorn-walk): their local names are declared here. A namespace
        // import becomes a const of the module's wrapper (transform.ts), beside the runtime's own names.
        if (n.local.name.startsWith("__tenantbox")) report("no-reserved-identifier", `identifier "${clipText(n.local.name, MAX_QUOTED_TEXT)}" is reserved`, n.local);
        break;
      case "WithStatement":
        report("no-with", "with statements are not allowed", n);
        break;
      case "ImportExpression":
        // A literal specifier joins the module graph, resolved and validated with it, and the transform makes
        // the call the realm's own import of that graph's modules; a computed one names code nothing checked.
        if (!isStringLiteral(n.source as AnyNode)) report("no-dynamic-import", "import() must be called with a string literal: the module graph is resolved and validated before anything runs", n);
        break;
      case "MetaProperty":
        if (n.meta.name === "import") report("no-import-meta", "import.meta is not available", n);
        break;
      case "AwaitExpression":
        if (format === "esm" && !insideFunction(ancestors)) {
          report("no-top-level-await", "top-level await is not supported; await inside the exported function", n);
        }
        break;
      case "ForOfStatement":
        if (n.await && format === "esm" && !insideFunction(ancestors)) {
          report("no-top-level-await", "top-level for await is not supported", n);
        }
        break;
      case "VariableDeclaration":
        // `await using` (explicit resource management) awaits without an AwaitExpression node.
        if ((n.kind as string) === "await using" && format === "esm" && !insideFunction(ancestors)) {
          report("no-top-level-await", "top-level await using is not supported", n);
        }
        break;
      case "MemberExpression": {
        const name = propertyName(n);
        if (name === undefined) break;
        if (name.startsWith("__tenantbox")) report("no-reserved-identifier", `property "${clipText(name, MAX_QUOTED_TEXT)}" is reserved`, n);
        if (name === "constructor" && n.object.type === "MemberExpression" && propertyName(n.object) === "constructor") {
          report("no-constructor-chain", "constructor.constructor reaches the Function constructor", n);
        }
        if (STACK_PROPERTIES.has(name)) report("no-stack-tricks", `"${name}" is not allowed`, n, name);
        if (name === "__proto__") report("no-proto", "__proto__ is not allowed", n);
        if (REFLECTION_PROPERTIES.has(name)) report("no-reflection", `"${name}" is not allowed at this security level`, n);
        // `globalThis.Reflect`, `global["Proxy"]`: the same globals, read from the global object.
        if (REFLECTION_GLOBALS.has(name)) report("no-reflection", `${name} is not allowed at this security level`, n);
        break;
      }
      case "Property":
        checkPropertyName(n, keyName(n));
        break;
      case "ObjectPattern":
        // The walk does not visit a pattern's properties: `const { __tenantbox_x: x, Reflect: R } = globalThis`
        // reads those names as a member expression would.
        for (const property of n.properties) {
          if (property.type !== "Property") continue;
          const name = keyName(property);
          checkPropertyName(property, name);
          if (name !== undefined && REFLECTION_GLOBALS.has(name)) report("no-reflection", `${name} is not allowed at this security level`, property);
        }
        break;
    }
  });
  return findings;
}

/** Turns findings into issues for a level: errors, warnings, or nothing; `code` is the text the AST's offsets index. `library`: the library profile's relaxations apply. */
export function judge(findings: readonly Finding[], level: SecurityLevel, code: string, lineShift = 0, library = false): ValidationIssue[] {
  const rank = levelRank(level);
  const lines = new LineIndex(code);
  const issues: ValidationIssue[] = [];
  for (const finding of findings) {
    const rule = RULES[finding.rule];
    let severity: ValidationIssue["severity"] | undefined;
    if (library && relaxedInLibrary(finding)) severity = "warning";
    else if (rank >= levelRank(rule.errorFrom)) severity = "error";
    else if ("warnFrom" in rule && rank >= levelRank(rule.warnFrom)) severity = "warning";
    if (!severity) continue;
    const loc = lines.at(finding.node.start);
    issues.push({ rule: rule.id, message: finding.message, severity, location: { line: loc.line - lineShift, column: loc.column + 1 } });
  }
  return issues;
}

export interface CheckedModule {
  parsed?: ParsedModule;
  result: ValidationResult;
}

const TOO_DEEP: ValidationIssue = fileIssue("max-nesting-depth", "module is too deeply nested to analyze");

/**
 * How a file is checked: a tenant's own code; library code under node_modules (library-profile.ts); or one of
 * the runtime's own built-in module bundles (builtins.ts), which are parsed but not held to tenant rules.
 */
export type CheckProfile = "tenant" | "library" | "builtin";

/** Layers 0 and 1: pre-scan, parse, rules. Never runs the code. */
export function checkModule(code: string, extension: string, level: SecurityLevel, profile: CheckProfile = "tenant"): CheckedModule {
  const issues = profile === "builtin" ? [] : prescan(code, LEVEL_DEFAULTS[level]);
  if (hasErrors(issues)) return { result: { valid: false, issues } };
  if (isTypeScript(extension)) {
    const stripped = stripTypes(code, extension);
    if ("issue" in stripped) return { result: { valid: false, issues: [...issues, stripped.issue] } };
    code = stripped.code;
    extension = stripped.extension;
  }
  let parsed: ParsedModule;
  try {
    parsed = parseModule(code, extension, profile !== "tenant");
    if (profile !== "builtin") {
      const index: AnyNode[] = [];
      issues.push(...judge(findRuleViolations(parsed.ast, parsed.format, parsed.code, index), level, parsed.code, parsed.lineShift, profile === "library"));
      parsed.indexed = index;
    }
  } catch (error) {
    if (error instanceof ParseFailure) return { result: { valid: false, issues: [...issues, error.issue] } };
    // The parser and the walkers recurse: chains the bracket pre-scan cannot see (a - - - ... x,
    // a + b + ... + z) can still overflow the stack. That is a property of the module, not a crash.
    if (error instanceof RangeError) return { result: { valid: false, issues: [...issues, TOO_DEEP] } };
    throw error;
  }
  issues.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
  return { parsed, result: { valid: !hasErrors(issues), issues } };
}

export { TOO_DEEP };
