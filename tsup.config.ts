import { builtinModules, createRequire } from "node:module";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { parse, type Node } from "acorn";
import { ancestor } from "acorn-walk";
import MagicString from "magic-string";
import path from "node:path";
import { getSystemErrorMap, inspect } from "node:util";
import { build, type Plugin } from "esbuild";
import { defineConfig } from "tsup";
import { BUILTIN_BUNDLES, builtinId } from "./src/loader/builtins.js";

const BUILTINS_SOURCE = path.resolve("src/runner/builtins");

/**
 * Inside a bundle, a require of another built-in ("buffer", "util/") stays a require: the realm resolves it
 * to that built-in's own polyfill. The entry files name their package with a trailing slash ("util/") to
 * bundle the package itself.
 */
const otherBuiltinsStayExternal: Plugin = {
  name: "other-builtins-stay-external",
  setup(b) {
    b.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      if (path.dirname(args.importer) === BUILTINS_SOURCE) {
        return args.path.endsWith("/") ? undefined : builtinId(args.path) ? { path: args.path, external: true } : undefined;
      }
      const id = builtinId(args.path.replace(/\/$/, ""));
      return id ? { path: id, external: true } : undefined;
    });
  },
};

/** `tenantbox:meriyah-umd`: meriyah's UMD build as a string (runner/embedded-meriyah.ts evaluates it when first needed). */
const meriyahUmdText: Plugin = {
  name: "meriyah-umd-text",
  setup(b) {
    b.onResolve({ filter: /^tenantbox:meriyah-umd$/ }, () => ({
      path: path.join(path.dirname(createRequire(import.meta.url).resolve("meriyah")), "meriyah.umd.min.js"),
      namespace: "meriyah-umd-text",
    }));
    b.onLoad({ filter: /.*/, namespace: "meriyah-umd-text" }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "text" }));
  },
};

/**
 * @pkgjs/parseargs's errors and validators are its own words ("args must be Array got a", Errors where Node
 * throws TypeErrors): they resolve to the realm's file that words them as Node does; its primordials (a copy of
 * every intrinsic, Proxy's too) to the few it uses.
 */
const parseArgsInNodeWords: Plugin = {
  name: "parse-args-in-node-words",
  setup(b) {
    b.onResolve({ filter: /^\.\/(internal\/)?(errors|validators|primordials)$/ }, (args) => {
      if (!/[\\/]@pkgjs[\\/]parseargs[\\/]/.test(args.importer)) return undefined;
      const file = args.path.endsWith("primordials") ? "parse-args-primordials.cjs" : "parse-args-errors.cjs";
      return { path: path.join(BUILTINS_SOURCE, "util", file) };
    });
  },
};

/** A text a bundled package must contain, and what it becomes in the realm's bundle (and why). */
interface DependencyPatch {
  file: RegExp;
  from: string;
  to: string;
}

const DEPENDENCY_PATCHES: DependencyPatch[] = [
  // @pkgjs/parseargs 0.11 is Node 20's parseArgs; Node 22.4 added allowNegative (`--no-x` sets a boolean x to
  // false): read and checked with the other settings, ...
  {
    file: /[\\/]@pkgjs[\\/]parseargs[\\/]index\.js$/,
    from: "const parseConfig = { args, strict, options, allowPositionals };",
    to: "const allowNegative = objectGetOwn(config, 'allowNegative') ?? false;\n  const parseConfig = { args, strict, options, allowPositionals, allowNegative };",
  },
  {
    file: /[\\/]@pkgjs[\\/]parseargs[\\/]index\.js$/,
    from: "validateBoolean(returnTokens, 'tokens');",
    to: "validateBoolean(returnTokens, 'tokens');\n  validateBoolean(allowNegative, 'allowNegative');",
  },
  // ... a `--no-x` is known in strict mode when x is a boolean option ...
  {
    file: /[\\/]@pkgjs[\\/]parseargs[\\/]index\.js$/,
    from: "function checkOptionUsage(config, token) {\n  if (!ObjectHasOwn(config.options, token.name)) {",
    to: "function checkOptionUsage(config, token) {\n  if (config.allowNegative && !ObjectHasOwn(config.options, token.name) && StringPrototypeStartsWith(token.name, 'no-') && ObjectHasOwn(config.options, StringPrototypeSlice(token.name, 3)) && optionsGetOwn(config.options, StringPrototypeSlice(token.name, 3), 'type') === 'boolean') {\n    if (token.value != null) throw new ERR_PARSE_ARGS_INVALID_OPTION_VALUE(`Option '${optionsGetOwn(config.options, StringPrototypeSlice(token.name, 3), 'short') ? `-${optionsGetOwn(config.options, StringPrototypeSlice(token.name, 3), 'short')}, ` : ''}--${StringPrototypeSlice(token.name, 3)}' does not take an argument`);\n    return;\n  }\n  if (!ObjectHasOwn(config.options, token.name)) {",
  },
  // ... and stores false under x (its token named x), whatever x is when not strict, as Node does.
  {
    file: /[\\/]@pkgjs[\\/]parseargs[\\/]index\.js$/,
    from: "storeOption(token.name, token.value, options, result.values);",
    to: "if (parseConfig.allowNegative && StringPrototypeStartsWith(token.name, 'no-') && token.value === undefined) {\n        token.name = StringPrototypeSlice(token.name, 3);\n        storeOption(token.name, false, options, result.values);\n      } else storeOption(token.name, token.value, options, result.values);",
  },
  // path-unified probes for a browser: it would read window.navigator and write window.process.cwd. The realm is
  // no browser (a tenant's own `window` must not change path).
  { file: /[\\/]path-unified[\\/]src[\\/]isWindows\.js$/, from: "typeof window === 'object'", to: "false" },
  { file: /[\\/]path-unified[\\/]src[\\/]path\.js$/, from: "typeof window === 'object'", to: "false" },
  // node-inspect-extracted copies the methods of Atomics and Proxy into its primordials: the realm has neither.
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: '["Atomics","JSON","Math","Proxy","Reflect"].forEach(',
    to: '["Atomics","JSON","Math","Proxy","Reflect"].filter(t=>void 0!==globalThis[t]).forEach(',
  },
  // ... and copies them by descriptor: the realm's shared methods are accessors (sandbox/harden.ts, the override
  // mistake) whose getter carries `originalValue`, the convention get-intrinsic follows. Its descriptor reads see
  // them as the data properties they stand for (writable, so that the copy can be overridden below, then frozen).
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: "{defineProperty:n,getOwnPropertyDescriptor:r,ownKeys:o}=Reflect,",
    to: '{defineProperty:n,ownKeys:o}=Reflect,r=(t,k)=>{const d=Reflect.getOwnPropertyDescriptor(t,k);return void 0===d?d:"function"==typeof d.get&&"originalValue"in d.get?{value:d.get.originalValue,writable:!0,enumerable:d.enumerable,configurable:!0}:"value"in d?{value:d.value,writable:!0,enumerable:d.enumerable,configurable:!0}:d},',
  },
  // ... and the same reading for inspect itself (a class's constructor, a built-in's prototype under showHidden).
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: "e.internalBinding=",
    to: "e.ObjectGetOwnPropertyDescriptor=r,e.internalBinding=",
  },
  // Its stand-in for V8's previewEntries answers [entries, isKeyValue] even when only entries are asked for (a
  // WeakMap under showHidden printed "[ [length]: 0 ] => false").
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: "previewEntries:t=>[[],!1]",
    to: "previewEntries:(t,e)=>e?[[],!1]:[]",
  },
  // Its stand-in for V8's getOwnNonIndexProperties lists every own property's descriptor (indices included) in one
  // built-in call no guard interrupts, before inspect prints the first 100 elements: a 4 MiB Uint8Array made ~4 Mi
  // descriptor objects, the sandbox process ran out of heap and a thread's V8 aborted the host (red team dec07).
  // An array or typed array of more than 65,536 elements has its symbols listed only (and an array's length under
  // showHidden): string-keyed extras of one that long are not shown, where Node would show them.
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: 'h=p("kRejected");t.exports={',
    to: 'h=p("kRejected"),tbElements=t=>r.ArrayIsArray(t)?t.length:void 0!==r.TypedArrayPrototypeGetSymbolToStringTag(t)?r.TypedArrayPrototypeGetLength(t):0,tbSymbolsOnly=(t,e)=>{const k=2!==e&&r.ArrayIsArray(t)?["length"]:[];for(const s of u(t)){const o=c(t,s);(2!==e||o.enumerable)&&k.push(s)}return k};t.exports={',
  },
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: "getOwnNonIndexProperties:function(t,e=2){const n=a(t),r=[];",
    to: "getOwnNonIndexProperties:function(t,e=2){if(tbElements(t)>65536)return tbSymbolsOnly(t,e);const n=a(t),r=[];",
  },
  // ... and makes a Safe subclass of FinalizationRegistry, which the realm has not either (inspect never uses it).
  {
    file: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/,
    from: "e.SafeFinalizationRegistry=k(b,class extends b{}),",
    to: "",
  },
];

/**
 * Applies DEPENDENCY_PATCHES; the build fails when a package's text no longer has what a patch replaces, and
 * when a patch found no file to apply to (a package that moved or renamed the file would build unpatched).
 */
const dependencyPatches: Plugin = {
  name: "dependency-patches",
  setup(b) {
    const applied = new Set<DependencyPatch>();
    b.onStart(() => {
      applied.clear();
    });
    b.onEnd(() => {
      const missed = DEPENDENCY_PATCHES.filter((p) => !applied.has(p));
      return { errors: missed.map((p) => ({ text: `no file matching ${p.file} was bundled: the patch of ${JSON.stringify(p.from.slice(0, 60))} was not applied` })) };
    });
    for (const patch of DEPENDENCY_PATCHES) {
      b.onLoad({ filter: patch.file }, async (args) => {
        const text = await readFile(args.path, "utf8");
        const patches = DEPENDENCY_PATCHES.filter((p) => p.file.test(args.path));
        let contents = text;
        for (const p of patches) {
          if (!contents.includes(p.from)) throw new Error(`${args.path} changed: it no longer contains ${p.from}`);
          contents = contents.replaceAll(p.from, p.to);
          applied.add(p);
        }
        return { contents, loader: "js" };
      });
    }
  },
};

type Named = Node & { id?: { name: string } | null };
type NameCall = Node & { callee: Node & { name?: string }; arguments: (Node & { name?: string; value?: unknown })[] };
type Keyed = Node & { key: Node & { name?: string; value?: unknown }; computed?: boolean; method?: boolean; shorthand?: boolean; kind?: string };

/** A name inference gives the anonymous function or class `value` where `parent` holds it (`var s = ...`, `{ s: ... }`, `s = ...`). */
function inferredName(parent: Node, value: Node): string | undefined {
  const p = parent as Node & { id?: Node & { name?: string }; init?: Node; value?: Node; left?: Node & { name?: string }; right?: Node; operator?: string };
  if (p.type === "VariableDeclarator" && p.init === value && p.id?.type === "Identifier") return p.id.name;
  if (p.type === "AssignmentExpression" && p.operator === "=" && p.right === value && p.left?.type === "Identifier") return p.left.name;
  const property = parent as Keyed;
  if (p.type === "Property" && p.value === value && property.kind === "init" && !property.computed && !property.method && !property.shorthand) {
    return property.key.type === "Identifier" ? property.key.name : typeof property.key.value === "string" ? property.key.value : undefined;
  }
  return undefined;
}

/**
 * keepNames marks every function and class of a bundle with `__name(f, "f")`, run each time a realm
 * instantiates the module (every call: the marks made a Buffer hook 23% slower, a stream one 28%). Only a
 * name the bundle changed needs one (`__name(Buffer3, "Buffer")`, a class renamed `_Blob`): the marks whose
 * name the function or class has anyway (its own, or the one inference gives it) are taken out.
 */
function dropRedundantNames(text: string): string {
  const out = new MagicString(text);
  const isNameCall = (node: Node): node is NameCall => {
    const call = node as NameCall;
    return node.type === "CallExpression" && call.callee.type === "Identifier" && call.callee.name === "__name" && call.arguments.length === 2 && call.arguments[1]!.type === "Literal";
  };
  ancestor(parse(text, { ecmaVersion: "latest", sourceType: "script" }), {
    CallExpression(node, _state, ancestors) {
      if (!isNameCall(node)) return;
      const [target, literal] = node.arguments as [Named, NameCall["arguments"][number]];
      const name = literal.value;
      const parent = ancestors[ancestors.length - 2]!;
      if (parent.type === "ExpressionStatement") {
        const holder = ancestors[ancestors.length - 3];
        // `__name(f, "f")` after a declaration of f.
        if (target.type === "Identifier" && (target as Node & { name: string }).name === name) out.remove(parent.start, parent.end);
        // `static { __name(this, "C"); }` in class C.
        else if (target.type === "ThisExpression" && holder?.type === "StaticBlock" && (holder as Node & { body: Node[] }).body.length === 1) {
          const klass = ancestors[ancestors.length - 5] as Named | undefined;
          if (klass?.id?.name === name) out.remove(holder.start, holder.end);
        }
        return;
      }
      const fn = ["FunctionExpression", "ArrowFunctionExpression", "ClassExpression"].includes(target.type);
      if (fn && (target.id ? target.id.name === name : inferredName(parent, node) === name)) {
        out.remove(node.start, target.start);
        out.remove(target.end, node.end);
      }
    },
  });
  return out.toString();
}

/** The realm's built-in modules (src/loader/builtins.ts): one CommonJS bundle each, in dist/builtins/. */
async function buildBuiltins(): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(BUILTIN_BUNDLES.map((name) => [name, path.join(BUILTINS_SOURCE, `${name}.cjs`)])),
    outdir: "dist/builtins",
    outExtension: { ".js": ".cjs" },
    bundle: true,
    format: "cjs",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    logLevel: "warning",
    plugins: [otherBuiltinsStayExternal, parseArgsInNodeWords, dependencyPatches],
    // Functions and classes keep the names they have in their sources: bundling renames a clashing one
    // (Buffer3, EventEmitter2, AssertionError2), and libraries and util.inspect read .name.
    keepNames: true,
    // Node's own list of its modules, for the realm's `module` (isBuiltin, builtinModules): the Node that builds.
    // Node's system error table (util.getSystemErrorMap: libuv's errors, the same on every Linux host) and
    // inspect's colors (util.styleText, which should not load inspect for them): the Node that builds. As JSON
    // text, parsed where used: a define whose value is an object or array becomes a module of its own whose
    // initializer every module of every bundle calls when it is evaluated, that is in every call.
    define: {
      NODE_BUILTIN_MODULES_JSON: JSON.stringify(JSON.stringify(builtinModules)),
      NODE_SYSTEM_ERRORS_JSON: JSON.stringify(JSON.stringify([...getSystemErrorMap()])),
      // With the aliases (grey, faint, crossedOut, ...), which are not enumerable there.
      NODE_INSPECT_COLORS_JSON: JSON.stringify(JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(inspect.colors).map((name) => [name, inspect.colors[name]])))),
    },
  });
  for (const file of await readdir("dist/builtins")) {
    const at = path.join("dist/builtins", file);
    await writeFile(at, dropRedundantNames(await readFile(at, "utf8")));
  }
}

export default defineConfig({
  entry: {
    index: "src/index.ts",
    service: "src/service/index.ts",
    cli: "src/cli/launcher.ts",
    "cli-main": "src/cli/index.ts",
    worker: "src/runner/worker.ts",
    "worker-process": "src/runner/worker-process.ts",
    "sandbox-entry": "src/runner/sandbox-entry.ts",
    "document-merge-thread": "src/service/document-merge-thread.ts",
    "loader-thread": "src/loader/loader-thread.ts",
    "document-store-thread": "src/service/document-store-thread.ts",
  },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", service: "src/service/index.ts" } },
  // es2022+ keeps sandbox installer functions verbatim: they are stringified into the tenant realm.
  target: "es2023",
  platform: "node",
  shims: true,
  clean: true,
  splitting: false,
  sourcemap: false,
  keepNames: false,
  // A sandbox process may read only its own entry file (sandbox-os.ts): what it compiles generated code with
  // (loader/code-generation.ts) is bundled into it.
  noExternal: ["acorn", "acorn-walk", "magic-string", "meriyah"],
  esbuildPlugins: [meriyahUmdText],
  // Meriyah's minified build (118 KB against 312 KB): a loader thread loads the whole bundle when it starts.
  esbuildOptions(options) {
    options.alias = { meriyah: path.join(path.dirname(createRequire(import.meta.url).resolve("meriyah")), "meriyah.min.mjs") };
  },
  onSuccess: buildBuiltins,
});
