import fs from "node:fs";
import path from "node:path";
import { EVENT_NAME, MANIFEST_FILE, MAX_EVENT_NAME } from "../registry/manifest.js";
import type { HookResult } from "../index.js";
import { existingFolder, EXIT_FAILURE, EXIT_OK, parseCommandArgs, parseJsonValue, UsageError } from "./args.js";
import { formatLogs, sanitizeLine, terminalJson } from "./format.js";
import { RUNTIME_FLAGS, runtimeFromFlags } from "./run-command.js";
import { usageOf } from "./usage.js";

/** `tenantbox emit <folder> <event> [jsonPayload]`: runs the event's hooks, prints one result per handler. */
export async function emitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, RUNTIME_FLAGS);
  if (values.help) {
    process.stdout.write(usageOf("emit", "run"));
    return EXIT_OK;
  }
  const [folder, event, rawPayload, ...extra] = positionals;
  if (folder === undefined || event === undefined) throw new UsageError("emit needs <folder> <event>");
  if (extra.length) throw new UsageError("emit takes one JSON payload; wrap several values in an array or object");
  // The rule a manifest and the service hold event names to: no manifest can name another, so it is a mistake.
  if (!EVENT_NAME.test(event)) throw new UsageError(`<event> must be 1-${MAX_EVENT_NAME} letters, digits, or . _ : -, got ${JSON.stringify(event.slice(0, 64))}`);
  const absolute = existingFolder(folder);
  const payload = rawPayload === undefined ? undefined : parseJsonValue("payload", rawPayload);
  const { runtime, context, timeout } = await runtimeFromFlags(values);
  let results: HookResult[];
  let brokenManifest = false;
  try {
    const options: { folder: string; context: unknown; timeout?: number } = { folder: absolute, context };
    if (timeout !== undefined) options.timeout = timeout;
    results = await runtime.emit(event, payload, options);
    // An empty result can mean a mistake: say which, on stderr, rather than leave it silent.
    const manifest = await runtime.hooks(options.folder);
    for (const found of manifest.issues) {
      if (found.severity === "error") process.stderr.write(`tenantbox.json: ${found.rule} ${sanitizeLine(found.message)}\n`);
    }
    brokenManifest = !manifest.valid;
    if (!fs.existsSync(path.join(options.folder, MANIFEST_FILE))) {
      process.stderr.write(`tenantbox emit: warning: ${options.folder} has no ${MANIFEST_FILE}, so no event has handlers\n`);
    } else if (results.length === 0 && !Object.hasOwn(manifest.events, event)) {
      const known = Object.keys(manifest.events);
      // A refused manifest with no good one before it serves nothing: that is why, not an empty manifest.
      const why = known.length ? ` (the manifest has: ${known.join(", ")})` : manifest.valid ? " (the manifest declares no events)" : ` (${MANIFEST_FILE} was refused: see above)`;
      process.stderr.write(`tenantbox emit: warning: no handler for "${event}"${why}\n`);
    }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    process.stderr.write(terminalJson({ code: code ?? "INTERNAL_ERROR", message: String(message ?? error) }) + "\n");
    return EXIT_FAILURE;
  } finally {
    await runtime.close();
  }
  for (const result of results) {
    const logs = formatLogs(result.logs);
    if (logs) process.stderr.write(`${sanitizeLine(result.file)}#${result.funcName}:\n${logs}`);
  }
  const printable = results.map(({ logs: _logs, ...rest }) => rest);
  process.stdout.write(terminalJson(printable, 2) + "\n");
  // A broken manifest fails the command even when the last good one's handlers ran.
  return results.every((r) => r.success) && !brokenManifest ? EXIT_OK : EXIT_FAILURE;
}
