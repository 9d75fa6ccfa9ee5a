/**
 * A sandbox process's entry: it compiles the sandbox process's own code (worker-process, the CommonJS build,
 * whose path it is given) under a name that is no path. Where the call stack is all but exhausted V8 formats
 * an error's stack itself, naming the script of every frame it captured (red team): the sandbox process's
 * frames then read `tenantbox:sandbox-process`, not where the host installed tenantbox. This file's own
 * frames are gone once it has run: every later call starts from the event loop, in the compiled code.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const SCRIPT_NAME = "tenantbox:sandbox-process";

const file = process.argv[2];
if (file === undefined || !file.endsWith(".cjs")) process.exit(70);
const code = readFileSync(file, "utf8");
const run = vm.compileFunction(code, ["exports", "require", "module", "__filename", "__dirname"], { filename: SCRIPT_NAME });
const module = { exports: {} };
run.call(module.exports, module.exports, createRequire(file), module, SCRIPT_NAME, "/");
