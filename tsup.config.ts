import { builtinModules, createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import path from "node:path";
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
 * path-unified probes `typeof window === 'object'` for a browser: it would read window.navigator and write
 * window.process.cwd. The realm is no browser (a tenant's own `window` must not change path), so the probes
 * are cut; the build fails if the package's text no longer has them.
 */
const pathUnifiedWithoutWindow: Plugin = {
  name: "path-unified-without-window",
  setup(b) {
    b.onLoad({ filter: /[\\/]path-unified[\\/]src[\\/](isWindows|path)\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const probe = "typeof window === 'object'";
      if (!text.includes(probe)) throw new Error(`path-unified changed: no browser probe in ${args.path}`);
      return { contents: text.replaceAll(probe, "false"), loader: "js" };
    });
  },
};

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
    plugins: [otherBuiltinsStayExternal, pathUnifiedWithoutWindow],
    // Node's own list of its modules, for the realm's `module` (isBuiltin, builtinModules): the Node that builds.
    define: { NODE_BUILTIN_MODULES: JSON.stringify(builtinModules) },
  });
}

export default defineConfig({
  entry: {
    index: "src/index.ts",
    service: "src/service/index.ts",
    cli: "src/cli/index.ts",
    worker: "src/runner/worker.ts",
    "worker-process": "src/runner/worker-process.ts",
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
