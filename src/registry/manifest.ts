import path from "node:path";
import { clipText, fileIssue, limitIssues, MAX_QUOTED_TEXT, type ValidationIssue } from "../loader/issues.js";
import { duplicateJsonKeys, jsonErrorLocation, jsonErrorMessage, lineLocator, scanJson, withoutBom, type JsonPath, type JsonScan } from "../loader/json-positions.js";
import type { IssueRule } from "../loader/rules.js";
import { FileReadRefused, readRegularFile } from "../loader/read-regular-file.js";
import { realPathOf } from "../loader/real-path.js";
import { MAX_ENTRY_FILE_LENGTH } from "../loader/resolve.js";
import { cronProblem } from "./cron-schedule.js";
import { hasOverlongJsonKey, MAX_JSON_KEY_LENGTH } from "../json-shape.js";

export const MANIFEST_FILE = "tenantbox.json";
/** The longest event name a manifest may declare (the HTTP API routes every one). */
export const MAX_EVENT_NAME = 128;
/** What an event name may be: in a manifest, in POST /v1/events/:event and in `tenantbox emit`. */
export const EVENT_NAME = new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_EVENT_NAME}}$`);
const FUNC_NAME = /^[A-Za-z_$][\w$]{0,255}$/;
const MAX_EVENTS = 256;
const MAX_SCHEDULES = 64;
const MAX_HANDLERS = 32;
const MAX_MANIFEST_BYTES = 256 * 1024;

export interface HookTarget {
  file: string;
  funcName: string;
}

export interface Manifest {
  hooks: Map<string, HookTarget[]>;
  /** Handlers run on a schedule: a 5-field cron expression (UTC) -> its handlers. */
  schedules: Map<string, HookTarget[]>;
  /** Where a handler (else its event's or schedule's list, else the field) is written in tenantbox.json: for messages. */
  locate(field?: "hooks" | "schedules", key?: string, target?: HookTarget): ValidationIssue["location"];
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
  let found: { scan: JsonScan; locate: ReturnType<typeof lineLocator> } | undefined;
  return (path) => {
    found ??= { scan: scanJson(text, 3), locate: lineLocator(text) };
    const offset = found.scan.startOf(path);
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
    // The kernel's one walk (real-path.ts), never glibc's realpath: that walks every prefix again and starts
    // over after each symlink, and a tenant's links through a deep directory held the main thread seconds.
    const real = realPathOf(file);
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
export function parseManifest(written: string): ParsedManifest {
  const issues: ValidationIssue[] = [];
  // A byte order mark is not the manifest's (an editor's), as for a JSON module; positions count from after it.
  const text = withoutBom(written);
  if (Buffer.byteLength(text, "utf8") > MAX_MANIFEST_BYTES) return { issues: [issue(`${MANIFEST_FILE} is larger than ${MAX_MANIFEST_BYTES} bytes`)] };
  // Parsed on the host's main thread: keys V8 hashes by their length alone collide in its string table (json-shape.ts).
  if (hasOverlongJsonKey(text)) return { issues: [issue(`${MANIFEST_FILE} holds an object key longer than ${MAX_JSON_KEY_LENGTH} characters`)] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // One scan finds where it breaks (V8 names no position for some errors).
    return { issues: [issue(`${MANIFEST_FILE} is not valid JSON: ${jsonErrorMessage(error)}`, "syntax", jsonErrorLocation(text))] };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { issues: [issue(`${MANIFEST_FILE} must be a JSON object`)] };
  const at = positionsIn(text);
  // JSON.parse keeps the last of a key written twice: an event's first list of handlers was dropped without a
  // word. A warning (the manifest still serves what it says last), at the second spelling.
  if (text.length > 0) {
    const locate = lineLocator(text);
    for (const { path: segs, offset } of duplicateJsonKeys(text, 10)) {
      const name = segs.map((seg) => (typeof seg === "number" ? `[${seg}]` : `[${JSON.stringify(clipText(seg, 64))}]`)).join("");
      issues.push(fileIssue("manifest", `${MANIFEST_FILE}${name} is written twice: only the last one is used`, "warning", locate(offset)));
    }
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "hooks" && key !== "schedules") {
      issues.push(issue(`unknown field "${clipText(key, MAX_QUOTED_TEXT)}" (expected only "hooks" and "schedules")`, "manifest", at([key])));
    }
  }
  const entryIndex = new Map<HookTarget, number>();
  const lists = (field: ManifestField, keys: string, maxKeys: number, keyProblem: (key: string) => string | undefined) =>
    handlerLists({ record, field, keys, maxKeys, keyProblem, issues, at, entryIndex });
  const hooks = lists("hooks", "event names", MAX_EVENTS, (event) =>
    EVENT_NAME.test(event) ? undefined : `event name "${event.slice(0, 64)}" must be 1-${MAX_EVENT_NAME} letters, digits, or . _ : -`,
  );
  const schedules = lists("schedules", "cron expressions", MAX_SCHEDULES, (cron) => {
    const problem = cronProblem(cron);
    return problem && `schedule "${cron.slice(0, 64)}": ${problem}`;
  });
  if (!hooks || !schedules) return { issues: limitIssues(issues) };
  const locate: Manifest["locate"] = (field = "hooks", key, target) => {
    const index = target && entryIndex.get(target);
    return at(key === undefined ? [field] : index === undefined ? [field, key] : [field, key, index]);
  };
  // The handlers that did parse come back too, so their files and functions get checked as well.
  return { manifest: { hooks, schedules, locate }, issues: limitIssues(issues) };
}

type ManifestField = "hooks" | "schedules";

/**
 * A field mapping keys (events, cron expressions) to "file#function" lists; undefined when the field is
 * not an object. Keys `keyProblem` refuses are left out, with an issue; every issue is placed where its
 * text is written, and each parsed handler's index in its list is kept for later messages.
 */
function handlerLists(options: {
  record: Record<string, unknown>;
  field: ManifestField;
  keys: string;
  maxKeys: number;
  keyProblem: (key: string) => string | undefined;
  issues: ValidationIssue[];
  at: (path: JsonPath) => ValidationIssue["location"];
  entryIndex: Map<HookTarget, number>;
}): Map<string, HookTarget[]> | undefined {
  const { record, field, keys, maxKeys, keyProblem, issues, at, entryIndex } = options;
  const lists = new Map<string, HookTarget[]>();
  const raw = record[field] ?? {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    issues.push(issue(`"${field}" must be an object mapping ${keys} to handler lists`, "manifest", at([field])));
    return undefined;
  }
  const names = Object.keys(raw);
  if (names.length > maxKeys) issues.push(issue(`"${field}" has ${names.length} entries; at most ${maxKeys}`, "manifest", at([field])));
  for (const name of names.slice(0, maxKeys)) {
    const problem = keyProblem(name);
    if (problem) {
      issues.push(issue(problem, "manifest", at([field, name])));
      continue;
    }
    const list = (raw as Record<string, unknown>)[name];
    if (!Array.isArray(list)) {
      issues.push(issue(`${field}["${name}"] must be an array of "file#function" strings`, "manifest", at([field, name])));
      continue;
    }
    if (list.length > MAX_HANDLERS) issues.push(issue(`${field}["${name}"] has ${list.length} handlers; at most ${MAX_HANDLERS}`, "manifest", at([field, name])));
    const targets: HookTarget[] = [];
    list.slice(0, MAX_HANDLERS).forEach((entry: unknown, index) => {
      const target = parseTarget(entry);
      if (typeof target === "string") issues.push(issue(`${field}["${name}"]: ${target}`, "manifest", at([field, name, index])));
      else {
        targets.push(target);
        entryIndex.set(target, index);
      }
    });
    lists.set(name, targets);
  }
  return lists;
}

function parseTarget(entry: unknown): HookTarget | string {
  if (typeof entry !== "string") return "each handler must be a \"file#function\" string";
  const hash = entry.lastIndexOf("#");
  if (hash <= 0 || hash === entry.length - 1) return `"${entry.slice(0, 100)}" must look like "path/to/file.js#functionName"`;
  const file = entry.slice(0, hash);
  const funcName = entry.slice(hash + 1);
  // A handler's file keys the host's graph caches as a run's does (resolve.ts, MAX_ENTRY_FILE_LENGTH).
  if (file.length > MAX_ENTRY_FILE_LENGTH) return `"${file.slice(0, 100)}" is longer than ${MAX_ENTRY_FILE_LENGTH} characters`;
  if (!FUNC_NAME.test(funcName)) return `"${funcName.slice(0, 100)}" is not a function name`;
  if (file.includes("\0") || path.isAbsolute(file) || file.split(/[\\/]/).includes("..")) {
    return `"${file.slice(0, 100)}" must be a relative path inside the tenant folder`;
  }
  return { file: path.posix.normalize(file.split("\\").join("/")), funcName };
}
