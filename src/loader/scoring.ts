import type * as acorn from "acorn";
import * as walk from "acorn-walk";
import { clipText, MAX_LISTED_ISSUES, MAX_QUOTED_TEXT } from "./issues.js";
import { LineIndex } from "./line-index.js";

type AnyNode = acorn.AnyNode;

/** One reason a module scored: what was seen, where, and how much it weighed. */
export interface ScoreSignal {
  rule: string;
  message: string;
  weight: number;
  location: { line: number; column: number };
}

export interface ScoreReport {
  file: string;
  /** 0 (nothing suspicious) to 100. */
  score: number;
  signals: ScoreSignal[];
}

const SECRET_NAME = /pass(word|wd)?$|secret|token|api[_-]?key|apikey|credential|private[_-]?key|ssn$|social[_-]?security|credit[_-]?card|card[_-]?number|cvv|auth(orization)?$|session[_-]?id|cookie/i;
const EGRESS_TOOL = /http|fetch|request|webhook|email|mail|send|post|upload|export|sms|slack|notify|url/i;
const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
const ITERATING_CALLS = new Set(["map", "forEach", "flatMap", "reduce", "filter", "all", "allSettled"]);

function propertyName(node: acorn.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  return undefined;
}

function isCallTool(node: AnyNode): boolean {
  return node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === "callTool";
}

/** The function a node sits in (or the program), to relate a secret read and a tool call. */
function enclosingFunction(ancestors: readonly AnyNode[]): AnyNode {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === "FunctionDeclaration" || a.type === "FunctionExpression" || a.type === "ArrowFunctionExpression") return a;
  }
  return ancestors[0]!;
}

function insideIteration(ancestors: readonly AnyNode[]): boolean {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i]!;
    if (LOOPS.has(a.type)) return true;
    if (a.type === "CallExpression" && a.callee.type === "MemberExpression") {
      const name = propertyName(a.callee);
      if (name && ITERATING_CALLS.has(name)) return true;
    }
  }
  return false;
}

/**
 * Layer 3: a rule-based score for exfiltration-shaped code. Reading secret-like fields, then handing
 * data to a tool (above all an outbound-sounding one) in the same function, tool calls in bulk loops,
 * tool names computed at run time and wholesale serialisation of `context` all add weight.
 */
/** `code` is the text the AST's offsets index. */
export function scoreModule(ast: acorn.Program, file: string, code: string, lineShift = 0): ScoreReport {
  const lines = new LineIndex(code);
  const signals: ScoreSignal[] = [];
  const secretReads = new Map<AnyNode, number>();
  const toolCalls: { node: acorn.CallExpression; fn: AnyNode; egress: boolean }[] = [];
  const add = (rule: string, message: string, weight: number, node: acorn.Node) => {
    const at = lines.at(node.start);
    signals.push({ rule, message, weight, location: { line: at.line - lineShift, column: at.column + 1 } });
  };

  walk.fullAncestor(ast, (node: acorn.Node, _state: unknown, ancestorsRaw: acorn.Node[]) => {
    const n = node as AnyNode;
    const ancestors = ancestorsRaw as AnyNode[];
    if (n.type === "MemberExpression") {
      const name = propertyName(n);
      if (name && SECRET_NAME.test(name)) {
        const fn = enclosingFunction(ancestors);
        secretReads.set(fn, (secretReads.get(fn) ?? 0) + 1);
        if ((secretReads.get(fn) ?? 0) <= 3) add("secret-read", `reads a secret-like field "${clipText(name, MAX_QUOTED_TEXT)}"`, 8, n);
      }
    } else if (isCallTool(n)) {
      const call = n as acorn.CallExpression;
      const nameArg = call.arguments[0] as AnyNode | undefined;
      const literal = nameArg?.type === "Literal" && typeof nameArg.value === "string" ? nameArg.value : undefined;
      const egress = literal !== undefined && EGRESS_TOOL.test(literal);
      toolCalls.push({ node: call, fn: enclosingFunction(ancestors), egress });
      if (literal === undefined) add("dynamic-tool-name", "calls a tool whose name is computed at run time", 12, call);
      if (egress) add("egress-tool", `calls an outbound-sounding tool "${clipText(literal, MAX_QUOTED_TEXT)}"`, 10, call);
      if (insideIteration(ancestors)) add("bulk-tool-calls", "calls a tool inside a loop or an iteration", 20, call);
    } else if (n.type === "CallExpression" && n.callee.type === "MemberExpression" && propertyName(n.callee) === "stringify") {
      const arg = n.arguments[0] as AnyNode | undefined;
      if (arg?.type === "Identifier" && arg.name === "context") add("serialize-context", "serialises the whole context", 10, n);
    }
  });

  for (const call of toolCalls) {
    const reads = secretReads.get(call.fn) ?? 0;
    if (reads > 0) {
      add(
        "secret-to-tool",
        call.egress ? "hands data to an outbound tool in a function that reads secret-like fields" : "calls a tool in a function that reads secret-like fields",
        call.egress ? 45 : 25,
        call.node,
      );
    }
  }
  const score = Math.min(100, signals.reduce((sum, s) => sum + s.weight, 0));
  // Scored on every signal, listed up to a bound: a module with thousands of functions must not make a huge answer.
  if (signals.length > MAX_LISTED_ISSUES) {
    const more = signals.length - MAX_LISTED_ISSUES;
    signals.length = MAX_LISTED_ISSUES;
    signals.push({ rule: "more-signals", message: `${more} more signals not listed`, weight: 0, location: { line: 1, column: 1 } });
  }
  return { file, score, signals };
}
