import fs from "node:fs";
import path from "node:path";
import { clipText, fileIssue, limitIssues, MAX_QUOTED_TEXT, type ValidationIssue } from "../loader/issues.js";
import { jsonErrorMessage, jsonPathKey, lineLocator, scanJson, type JsonPath } from "../loader/json-positions.js";
import type { IssueRule } from "../loader/rules.js";
import { FileReadRefused, readRegularFile } from "../loader/read-regular-file.js";

export const MANIFEST_FILE = "tenantbox.json";
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const FUNC_NAME = /^[A-Za-z_$][\w$]{0,255}$/;
const MAX_EVENTS = 256;
const MAX_HANDLERS = 32;
const MAX_MANIFEST_BYTES = 256 * 1024;

export interface HookTarget {
  file: string;
  funcName: string;
}

export interface Manifest {
  hooks: Map<string, HookTarget[]>;
  /** Where a handler (else the event's list, else "hooks") is written in tenantbox.json: for messages. */
  locate(event?: string, target?: HookTarget): ValidationIssue["location"];
}

export interface ParsedManifest {
  manifest?: Manifest;
  issues: ValidationIssue[];
}

function issue(message: string, rule: IssueRule = "manifest", location?: ValidationIssue["location"]): ValidationIssue {
  return fileIssue(rule, message, "error", location);
}

/**
 * Line and column of the value at a path of the manifest's text (of its key, for an object member), else 1:1.
 * The text is scanned once, and only when an issue needs a position.
 */
function positionsIn(text: string): (path: JsonPath) => ValidationIssue["location"] {
  let found: { starts: Map<string, number>; locate: ReturnType<typeof lineLocator> } | undefined;
  return (path) => {
    found ??= { starts: scanJson(text, 3).starts, locate: lineLocator(text) };
    const offset = found.starts.get(jsonPathKey(path));
    return offset === undefined ? { line: 1, column: 1 } : found.locate(offset);
  };
}

/**
 * Reads and parses a folder's manifest; undefined when it cannot be read (gone). It may be a symlink to a file
 * inside the folder (as volume mounts make them); one that leads outside, a FIFO, a device or an oversized
 * file is a manifest with an issue: never read outside the folder, waited on or read whole.
 */
export function readManifestFile(file: string, realFolder: string): ParsedManifest | undefined {
  let text: string;
  try {
    const real = fs.realpathSync.native(file);
    if (!real.startsWith(realFolder + path.sep)) return { issues: [issue(`${MANIFEST_FILE} leads outside the tenant folder`)] };
    text = readRegularFile(real, MAX_MANIFEST_BYTES, realFolder);
  } catch (error) {
    if (error instanceof FileReadRefused) return { issues: [issue(`${MANIFEST_FILE} ${error.message}`)] };
    return undefined;
  }
  return parseManifest(text);
}

/**
 * Parses and checks `tenantbox.json` (untrusted input): the schema, and that every handler names a file
 * inside the folder with a plain function name. Whether the file exists, validates and exports the
 * function is checked by the registry, which can load modules.
 */
export function parseManifest(text: string): ParsedManifest {
  const issues: ValidationIssue[] = [];
  if (Buffer.byteLength(text, "utf8") > MAX_MANIFEST_BYTES) return { issues: [issue(`${MANIFEST_FILE} is larger than ${MAX_MANIFEST_BYTES} bytes`)] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // One scan finds where it breaks (V8 names no position for some errors).
    const location = lineLocator(text)(scanJson(text).errorOffset ?? text.length);
    return { issues: [issue(`${MANIFEST_FILE} is not valid JSON: ${jsonErrorMessage(error)}`, "syntax", location)] };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { issues: [issue(`${MANIFEST_FILE} must be a JSON object`)] };
  const at = positionsIn(text);
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "hooks") issues.push(issue(`unknown field "${clipText(key, MAX_QUOTED_TEXT)}" (expected only "hooks")`, "manifest", at([key])));
  }
  const hooks = new Map<string, HookTarget[]>();
  const entryIndex = new Map<HookTarget, number>();
  const rawHooks = record.hooks ?? {};
  if (!rawHooks || typeof rawHooks !== "object" || Array.isArray(rawHooks)) {
    issues.push(issue(`"hooks" must be an object mapping event names to handler lists`, "manifest", at(["hooks"])));
    return { issues: limitIssues(issues) };
  }
  const events = Object.keys(rawHooks);
  if (events.length > MAX_EVENTS) issues.push(issue(`"hooks" has ${events.length} events; at most ${MAX_EVENTS}`, "manifest", at(["hooks"])));
  for (const event of events.slice(0, MAX_EVENTS)) {
    if (!EVENT_NAME.test(event)) {
      issues.push(issue(`event name "${event.slice(0, 64)}" must be 1-128 letters, digits, or . _ : -`, "manifest", at(["hooks", event])));
      continue;
    }
    const list = (rawHooks as Record<string, unknown>)[event];
    if (!Array.isArray(list)) {
      issues.push(issue(`hooks["${event}"] must be an array of "file#function" strings`, "manifest", at(["hooks", event])));
      continue;
    }
    if (list.length > MAX_HANDLERS) issues.push(issue(`hooks["${event}"] has ${list.length} handlers; at most ${MAX_HANDLERS}`, "manifest", at(["hooks", event])));
    const targets: HookTarget[] = [];
    list.slice(0, MAX_HANDLERS).forEach((entry: unknown, index) => {
      const target = parseTarget(entry);
      if (typeof target === "string") issues.push(issue(`hooks["${event}"]: ${target}`, "manifest", at(["hooks", event, index])));
      else {
        targets.push(target);
        entryIndex.set(target, index);
      }
    });
    hooks.set(event, targets);
  }
  const locate: Manifest["locate"] = (event, target) => {
    const index = target && entryIndex.get(target);
    return at(event === undefined ? ["hooks"] : index === undefined ? ["hooks", event] : ["hooks", event, index]);
  };
  // The handlers that did parse come back too, so their files and functions get checked as well.
  return { manifest: { hooks, locate }, issues: limitIssues(issues) };
}

function parseTarget(entry: unknown): HookTarget | string {
  if (typeof entry !== "string") return "each handler must be a \"file#function\" string";
  const hash = entry.lastIndexOf("#");
  if (hash <= 0 || hash === entry.length - 1) return `"${entry.slice(0, 100)}" must look like "path/to/file.js#functionName"`;
  const file = entry.slice(0, hash);
  const funcName = entry.slice(hash + 1);
  if (!FUNC_NAME.test(funcName)) return `"${funcName.slice(0, 100)}" is not a function name`;
  if (file.includes("\0") || path.isAbsolute(file) || file.split(/[\\/]/).includes("..")) {
    return `"${file.slice(0, 100)}" must be a relative path inside the tenant folder`;
  }
  return { file: path.posix.normalize(file.split("\\").join("/")), funcName };
}
