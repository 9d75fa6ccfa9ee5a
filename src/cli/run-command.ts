import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { IsolatedRuntime, type ExecuteResult, type RuntimeOptions, type ToolHandler } from "../index.js";
import {
  existingFolder,
  EXIT_FAILURE,
  EXIT_OK,
  messageOf,
  nonEmptyPath,
  parseCommandArgs,
  parseJsonValue,
  parsePositiveInteger,
  parseSecurityLevel,
  UsageError,
} from "./args.js";
import { demoToolHandler } from "./demo-tools.js";
import { formatLogs, terminalJson } from "./format.js";
import { usageOf } from "./usage.js";

/** The flags `run` and `emit` share: limits, security level, tools. */
export const RUNTIME_FLAGS = {
  context: { type: "string" },
  timeout: { type: "string" },
  "security-level": { type: "string" },
  "memory-limit": { type: "string" },
  tools: { type: "string" },
  "demo-tools": { type: "boolean" },
} as const;

/** The runtime option each flag sets, by the option's name. */
const FLAG_OF: Record<string, string> = { timeout: "--timeout", memoryLimitMb: "--memory-limit", securityLevel: "--security-level", toolHandler: "--tools" };

type RuntimeFlagValues = { [K in keyof typeof RUNTIME_FLAGS]?: (typeof RUNTIME_FLAGS)[K]["type"] extends "boolean" ? boolean : string };

/** A one-worker runtime configured from the shared flags; bad flags are a UsageError (exit 2). */
export async function runtimeFromFlags(values: RuntimeFlagValues): Promise<{ runtime: IsolatedRuntime; context: unknown; timeout?: number }> {
  const context = values.context === undefined ? undefined : parseJsonValue("--context", values.context);
  const timeout = parsePositiveInteger("--timeout", values.timeout);
  const memoryLimitMb = parsePositiveInteger("--memory-limit", values["memory-limit"]);
  const securityLevel = parseSecurityLevel(values["security-level"]);
  if (values.tools !== undefined && values["demo-tools"]) throw new UsageError("use --tools or --demo-tools, not both");
  const toolHandler = values["demo-tools"] ? demoToolHandler : await loadToolHandler(values.tools);
  // One command: one worker, one ready realm.
  const options: RuntimeOptions = { minThreads: 1, maxThreads: 1, readyContexts: 1 };
  if (timeout !== undefined) options.timeout = timeout;
  if (memoryLimitMb !== undefined) options.memoryLimitMb = memoryLimitMb;
  if (securityLevel !== undefined) options.securityLevel = securityLevel;
  if (toolHandler !== undefined) options.toolHandler = toolHandler;
  try {
    const result: { runtime: IsolatedRuntime; context: unknown; timeout?: number } = { runtime: new IsolatedRuntime(options), context };
    if (timeout !== undefined) result.timeout = timeout;
    return result;
  } catch (error) {
    // The runtime names its options; the command line has flags.
    const message = messageOf(error).replace(/^option "(\w+)"/, (said, name: string) => (Object.hasOwn(FLAG_OF, name) ? FLAG_OF[name]! : said));
    throw new UsageError(message);
  }
}

/** `tenantbox run <folder> <file> <funcName> [jsonArg ...]`: one call, its value on stdout. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, RUNTIME_FLAGS);
  if (values.help) {
    process.stdout.write(usageOf("run"));
    return EXIT_OK;
  }
  const [folder, file, funcName, ...rawArgs] = positionals;
  if (folder === undefined || file === undefined || funcName === undefined) {
    throw new UsageError("run needs <folder> <file> <funcName>");
  }
  const absolute = existingFolder(folder);
  const args = rawArgs.map((text, index) => parseJsonValue(`argument ${index + 1} (${abbreviate(text)})`, text));
  const { runtime, context } = await runtimeFromFlags(values);

  let result: ExecuteResult | undefined;
  let thrown: unknown;
  try {
    result = await runtime.execute({ folder: absolute, file, funcName, args, context });
  } catch (error) {
    thrown = error;
  } finally {
    await runtime.close();
  }

  if (result) process.stderr.write(formatLogs(result.logs));
  if (result?.success) {
    if (result.value !== undefined) process.stdout.write(terminalJson(result.value, 2) + "\n");
    return EXIT_OK;
  }
  const error = result?.error ?? errorInfoOf(thrown);
  const report: Record<string, unknown> = { code: error.code, message: error.message + fileHint(error.code, absolute, file) };
  if (error.name && error.name !== "RuntimeError" && error.name !== "Error") report.name = error.name;
  if (error.details !== undefined) report.details = error.details;
  process.stderr.write(terminalJson(report) + "\n");
  return EXIT_FAILURE;
}

function errorInfoOf(error: unknown): { code: string; name?: string; message: string; details?: unknown } {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") {
    const { code, message, details } = error as { code: string; message?: unknown; details?: unknown };
    return { code, message: String(message ?? ""), details };
  }
  return { code: "INTERNAL_ERROR", message: error instanceof Error ? error.message : String(error) };
}

/**
 * <file> is relative to <folder>: one spelled from the working directory (`run examples/modules/acme
 * examples/modules/acme/hooks/orders.js ...`, as a shell completes it) or absolute is not found there, or is
 * refused. When it names a file inside the folder after all, the message says how to write it.
 */
function fileHint(code: string, folder: string, file: string): string {
  if (code !== "MODULE_NOT_FOUND" && code !== "INVALID_REQUEST") return "";
  const named = path.resolve(file);
  if (fs.existsSync(path.join(folder, file)) && !path.isAbsolute(file)) return "";
  const relative = path.relative(folder, named);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative) || !fs.existsSync(named)) return "";
  return ` (<file> is relative to <folder>: did you mean ${JSON.stringify(relative.split(path.sep).join("/"))}?)`;
}

function abbreviate(text: string): string {
  return text.length > 40 ? text.slice(0, 39) + "…" : text;
}

/**
 * `--tools <module>`: a trusted host module (it runs in this process, not in the sandbox) whose default
 * export or `toolHandler` export is `(name, args, ctx) => value`.
 */
async function loadToolHandler(specifier: string | undefined): Promise<ToolHandler | undefined> {
  if (specifier === undefined) return undefined;
  let loaded: Record<string, unknown>;
  try {
    // An empty --tools ("$UNSET") would name the working directory: refused as the other path options are.
    loaded = (await import(pathToFileURL(path.resolve(nonEmptyPath(specifier, "--tools"))).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The module's own throw may be anything (`throw null`); Node's resolution errors name the CLI's bundle as
    // the importer ("imported from .../dist/cli-main.js"), which says nothing about the user's module.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/ imported from \S+$/, "");
    throw new UsageError(`--tools: cannot load ${specifier}: ${reason}`);
  }
  const handler = typeof loaded.toolHandler === "function" ? loaded.toolHandler : loaded.default;
  if (typeof handler !== "function") {
    throw new UsageError(`--tools: ${specifier} must export a function (default export or "toolHandler")`);
  }
  return handler as ToolHandler;
}
