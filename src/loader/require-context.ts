import fs from "node:fs";
import path from "node:path";
import type * as acorn from "acorn";
import type { TaskModule } from "../runner/protocol.js";
import type { StatMemo } from "./stat-memo.js";

/**
 * A library's computed require of a file in one of its own directories, spelled with the directory as a
 * literal (`require("./langs/" + code + ".json")`, `require("./providers/" + name)`, a template literal
 * likewise): what webpack calls a context module. The transform records it as one marked specifier (the
 * directory, the file-name prefix after it and the literal suffix); the graph walk lists that directory
 * (inside the tenant folder, at most MAX_CONTEXT_ENTRIES entries) and adds each file the call could name as an
 * ordinary specifier, so that the computed require finds it among the module's validated dependencies at run
 * time. Nothing else changes: the files are resolved, read, validated and compiled like any dependency, and a
 * name no listed file answers is MODULE_NOT_FOUND as before. The directory's stamp joins what the load
 * depends on (a file added there is seen by the next load).
 */
const MARK = "\0context\0";

/** Entries read of a context's directory: past that, the context adds nothing (a bounded listing, not a walk). */
export const MAX_CONTEXT_ENTRIES = 1024;

/**
 * Specifiers contexts may add to one graph, all contexts together: past that a context adds none (nor one that
 * would take the graph past its specifier limit), so that contexts never make a load fail for its size that
 * would have passed without them.
 */
export const MAX_CONTEXT_SPECIFIERS_PER_GRAPH = 1024;

/** What contexts added to a graph so far, and whether `count` more may come. */
export class ContextBudget {
  private added = 0;
  constructor(private readonly maxSpecifiers: number) {}
  take(count: number, specifiersSoFar: number): boolean {
    if (this.added + count > MAX_CONTEXT_SPECIFIERS_PER_GRAPH || specifiersSoFar + count > this.maxSpecifiers / 2) return false;
    this.added += count;
    return true;
  }
}

/**
 * A module's specifiers with each computed require's context (a marked specifier) replaced by the files of its
 * directory the call could name (a library's only; a tenant's own context names nothing), within the graph's
 * budget, and which of them came from a context. Both graph walks (the host's and a loader thread's) use it.
 */
export function expandContexts(
  specifiers: string[],
  expand: { library: boolean; realPath: string; realFolder: string; memo: StatMemo; budget: ContextBudget; specifiersSoFar: number },
): { specifiers: string[]; fromContexts: Set<string> } {
  const fromContexts = new Set<string>();
  if (!specifiers.some(isRequireContext)) return { specifiers, fromContexts };
  const own = new Set(specifiers);
  const expanded = specifiers.flatMap((specifier) => {
    if (!isRequireContext(specifier)) return [specifier];
    const listed = expand.library ? contextSpecifiers(specifier, expand.realPath, expand.realFolder, expand.memo).filter((s) => !own.has(s)) : [];
    const named = expand.budget.take(listed.length, expand.specifiersSoFar + specifiers.length) ? listed : [];
    for (const s of named) fromContexts.add(s);
    return named;
  });
  return { specifiers: expanded, fromContexts };
}

/** Extensions a require may leave off (Node's, for a file the spelling names without one). */
const IMPLIED_EXTENSIONS = [".js", ".json", ".cjs"];

interface RequireContext {
  /** The directory, as the module spells it ("./langs/"). */
  dir: string;
  /** What the file name starts with after it ("" mostly; "moment-" for "./locale/moment-" + x). */
  namePrefix: string;
  /** The literal the spelling ends with (".json"), or "". */
  suffix: string;
}

/** The pieces of a `+` chain (left to right), or of a template literal: literal strings, and null for what is computed. */
function pieces(node: acorn.Node): (string | null)[] {
  const n = node as acorn.AnyNode;
  if (n.type === "Literal") return [typeof n.value === "string" ? n.value : null];
  if (n.type === "BinaryExpression" && n.operator === "+") return [...pieces(n.left), ...pieces(n.right)];
  if (n.type === "TemplateLiteral") {
    const out: (string | null)[] = [];
    n.quasis.forEach((quasi, i) => {
      out.push(quasi.value.cooked ?? null);
      if (i < n.expressions.length) out.push(null);
    });
    return out.filter((piece) => piece !== "");
  }
  return [null];
}

/** The marked specifier of a computed `require(...)` spelled as a context, or undefined. */
export function requireContextSpecifier(node: acorn.CallExpression): string | undefined {
  const callee = node.callee as acorn.AnyNode;
  const arg = node.arguments[0] as acorn.AnyNode | undefined;
  if (callee.type !== "Identifier" || callee.name !== "require" || node.arguments.length !== 1 || !arg) return undefined;
  if (arg.type !== "BinaryExpression" && arg.type !== "TemplateLiteral") return undefined;
  const parts = pieces(arg);
  const first = parts[0];
  if (typeof first !== "string" || parts.length < 2 || !parts.includes(null)) return undefined;
  if (!first.startsWith("./") && !first.startsWith("../")) return undefined;
  const slash = first.lastIndexOf("/");
  const last = parts[parts.length - 1];
  const context: RequireContext = { dir: first.slice(0, slash + 1), namePrefix: first.slice(slash + 1), suffix: typeof last === "string" ? last : "" };
  // One directory: a computed part may not be followed by more path, nor the spelling reach outside by "..".
  if (context.suffix.includes("/") || context.dir.length > 256 || context.namePrefix.length + context.suffix.length > 256) return undefined;
  if (parts.slice(1, -1).some((piece) => typeof piece === "string" && piece.includes("/"))) return undefined;
  return `${MARK}${context.dir}\0${context.namePrefix}\0${context.suffix}`;
}

/**
 * The same for a require of a conditional between literals (later's `require(process.env.LATER_COV ?
 * "./later-cov" : "./later")`, conditionals nested at most 4 deep), or of literals joined by `+` or in a template
 * (`require('u' + 'rl')`, rollup's spelling of import.meta.url): a marked specifier that lists them, which the
 * graph walks add like a context's files (one that cannot run is left out, not the load's end). A branch that
 * is not a literal: undefined (the call resolves at run time among the other dependencies, or throws).
 */
export function requireBranchesSpecifier(node: acorn.CallExpression): string | undefined {
  const callee = node.callee as acorn.AnyNode;
  const arg = node.arguments[0] as acorn.AnyNode | undefined;
  if (callee.type !== "Identifier" || callee.name !== "require" || node.arguments.length !== 1 || !arg) return undefined;
  if (arg.type !== "ConditionalExpression" && arg.type !== "BinaryExpression" && arg.type !== "TemplateLiteral") return undefined;
  const found: string[] = [];
  const branches = (value: acorn.AnyNode, depth: number): boolean => {
    let literal: string | undefined;
    if (value.type === "Literal" && typeof value.value === "string") literal = value.value;
    else if (value.type === "TemplateLiteral" || (value.type === "BinaryExpression" && value.operator === "+")) {
      // Literals joined: rollup's CommonJS output spells import.meta.url `require('u' + 'rl').pathToFileURL(__filename)`
      // (pdfkit), so that bundlers do not follow it; the one name it makes joins the graph like a branch.
      const parts = pieces(value);
      if (!parts.includes(null)) literal = parts.join("");
    } else if (value.type === "ConditionalExpression" && depth < 4) return branches(value.consequent, depth + 1) && branches(value.alternate, depth + 1);
    if (literal === undefined || literal.includes("\0") || literal.length > 1024) return false;
    found.push(literal);
    return true;
  };
  return branches(arg, 0) ? BRANCHES + found.join("\0") : undefined;
}

/**
 * The specifier of a CommonJS require of a file named from the module's own directory: `require(__dirname +
 * "/reserved.js")` (pg-format), `` require(`${__dirname}/x.json`) ``, `require(path.join(__dirname, "..",
 * "package.json"))`, `require(path.resolve(__dirname, "lib/x"))`: the literal parts after `__dirname`, as the
 * relative specifier they name ("./reserved.js", "../package.json"; normalized by ownDirectorySpecifier). The
 * graph walk adds it as a one-branch conditional require (a file that cannot run is left out, not the load's end); at run time the computed path (the module's `__dirname` is its
 * directory in the tenant folder) finds it under that spelling (modules.ts, resolveFrom). Undefined for any other
 * argument.
 */
export function requireOwnDirectorySpecifier(node: acorn.CallExpression): string | undefined {
  const callee = node.callee as acorn.AnyNode;
  const arg = node.arguments[0] as acorn.AnyNode | undefined;
  if (callee.type !== "Identifier" || callee.name !== "require" || node.arguments.length !== 1 || !arg) return undefined;
  const isDirname = (n: acorn.AnyNode | undefined) => n?.type === "Identifier" && n.name === "__dirname";
  let rest: string | undefined;
  if (arg.type === "BinaryExpression" || arg.type === "TemplateLiteral") {
    // __dirname + "/a" + "/b", or `${__dirname}/a`: __dirname first, then literals only, starting with a slash.
    const n = arg.type === "TemplateLiteral" ? arg : undefined;
    if (n) {
      if (n.expressions.length !== 1 || !isDirname(n.expressions[0] as acorn.AnyNode) || n.quasis[0]?.value.cooked !== "") return undefined;
      rest = n.quasis[1]?.value.cooked ?? undefined;
    } else {
      let left: acorn.AnyNode = arg;
      const tail: (string | null)[] = [];
      while (left.type === "BinaryExpression" && left.operator === "+") {
        tail.unshift(...pieces(left.right));
        left = left.left as acorn.AnyNode;
      }
      if (!isDirname(left) || tail.includes(null)) return undefined;
      rest = tail.join("");
    }
    if (rest === undefined || !rest.startsWith("/")) return undefined;
  } else if (arg.type === "CallExpression" && arg.callee.type === "MemberExpression" && !arg.callee.computed) {
    // path.join(__dirname, "a", "b") and path.resolve(__dirname, "a"): literals after __dirname, none absolute.
    const method = arg.callee.property as acorn.AnyNode;
    if (method.type !== "Identifier" || (method.name !== "join" && method.name !== "resolve")) return undefined;
    if (arg.arguments.length < 2 || !isDirname(arg.arguments[0] as acorn.AnyNode)) return undefined;
    const parts: string[] = [];
    for (const a of arg.arguments.slice(1)) {
      const p = pieces(a as acorn.Node);
      if (p.length !== 1 || typeof p[0] !== "string" || p[0].startsWith("/")) return undefined;
      parts.push(p[0]);
    }
    rest = "/" + parts.join("/");
  } else return undefined;
  if (rest.length > 1024 || rest.includes("\0")) return undefined;
  const specifier = ownDirectorySpecifier(rest.slice(1));
  // Marked as a one-literal branches specifier: the graph walks add it as a context's file, left out (not the
  // load's end) when it cannot run. Before this spelling was recorded the file was not in the graph at all, and a
  // library's `try { require(__dirname + "/dev.js") } catch {}` of a file the loader refuses still loaded (review
  // dec10: it failed every load of the package with that file's VALIDATION_ERROR).
  return specifier === undefined ? undefined : BRANCHES + specifier;
}

/**
 * A path relative to a module's directory as the one relative specifier the loader and the sandbox both spell it:
 * "." and empty segments dropped, ".." taken off what precedes it, then "./" or "../" first ("a/./b/../c" is
 * "./a/c", "../x" stays). Undefined for a path that names the directory itself. The sandbox's resolveFrom
 * (modules.ts) spells a computed path the same way.
 */
export function ownDirectorySpecifier(relative: string): string | undefined {
  const out: string[] = [];
  for (const segment of relative.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(segment);
  }
  if (out.length === 0 || out[out.length - 1] === "..") return undefined;
  return out[0] === ".." ? out.join("/") : "./" + out.join("/");
}

/** Marks a branches specifier (a context's own starts with "./" or "../" after MARK). */
const BRANCHES = `${MARK}branches\0`;

function parse(specifier: string): RequireContext | undefined {
  if (!specifier.startsWith(MARK)) return undefined;
  const [dir, namePrefix, suffix] = specifier.slice(MARK.length).split("\0");
  if (dir === undefined || namePrefix === undefined || suffix === undefined) return undefined;
  return { dir, namePrefix, suffix };
}

export function isRequireContext(specifier: string): boolean {
  return specifier.startsWith(MARK);
}

/**
 * The specifiers a context's computed require could be, from a listing of its directory: each entry's name as
 * spelled (dir + name), and without the extension a require may leave off when the spelling has no suffix.
 * A directory outside the tenant folder, a missing one, and one of more than MAX_CONTEXT_ENTRIES entries give
 * none. The listing is charged to the load's file-system budget like a stat.
 */
function contextSpecifiers(specifier: string, fromRealPath: string, realFolder: string, memo: StatMemo): string[] {
  if (specifier.startsWith(BRANCHES)) return [...new Set(specifier.slice(BRANCHES.length).split("\0"))];
  const context = parse(specifier);
  if (!context) return [];
  const dir = memo.realPath(path.resolve(path.dirname(fromRealPath), context.dir));
  if (dir === null || (dir !== realFolder && !dir.startsWith(realFolder + path.sep))) return [];
  memo.depend(dir, memo.stamp(dir));
  const names = memo.timed(() => {
    const listed: string[] = [];
    let handle: fs.Dir | undefined;
    try {
      handle = fs.opendirSync(dir);
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (listed.length === MAX_CONTEXT_ENTRIES) return [];
        listed.push(entry.name);
      }
    } catch {
      return [];
    } finally {
      handle?.closeSync();
    }
    return listed;
  });
  const out: string[] = [];
  for (const name of names.sort()) {
    if (name.length < context.namePrefix.length + context.suffix.length || !name.startsWith(context.namePrefix) || !name.endsWith(context.suffix)) continue;
    out.push(context.dir + name);
    if (context.suffix === "") {
      const ext = IMPLIED_EXTENSIONS.find((e) => name.endsWith(e) && name.length > e.length);
      if (ext) out.push(context.dir + name.slice(0, -ext.length));
    }
  }
  return out;
}

/** A module of a graph that cannot run (refused, or blocked by scoring), and how to refuse the load for it. */
export interface Unrunnable {
  id: string;
  why: string;
  refuse: () => never;
}

/**
 * A module the graph reached only through context specifiers (files a computed require could name, not ones
 * the code names) is left out when it cannot run (refused, or blocked by scoring): before contexts such a
 * file was not in the graph at all, and it must not now fail a load that never requires it. Its deps entries
 * become errors (a require of it at run time is MODULE_NOT_FOUND, naming why). A module some other
 * specifier reaches, or the entry, still fails the load: `refuse` is called for the first of those.
 * `contextDeps`: per module id, the specifiers that came from contexts.
 */
export function leaveOutSoftUnrunnable<M extends { id: string; deps: TaskModule["deps"] }>(
  modules: M[],
  entryId: string,
  contextDeps: ReadonlyMap<string, ReadonlySet<string>>,
  unrunnable: readonly Unrunnable[],
): M[] {
  if (unrunnable.length === 0) return modules;
  const hard = new Set<string>([entryId]);
  for (const module of modules) {
    const soft = contextDeps.get(module.id);
    for (const [specifier, dep] of Object.entries(module.deps)) {
      if ("id" in dep && !(soft && soft.has(specifier))) hard.add(dep.id);
    }
  }
  for (const entry of unrunnable) if (hard.has(entry.id)) entry.refuse();
  const left = new Map(unrunnable.map((entry) => [entry.id, entry.why]));
  const kept = modules.filter((module) => !left.has(module.id));
  for (const module of kept) {
    for (const [specifier, dep] of Object.entries(module.deps)) {
      if ("id" in dep && left.has(dep.id)) module.deps[specifier] = { error: `cannot load module "${dep.id}": ${left.get(dep.id)}` };
    }
  }
  return kept;
}
