import type { LogEntry } from "../index.js";
import { withRawValues } from "../service/raw-values.js";

// C0 controls except tab and newline, DEL and C1 controls: a tenant must not drive the terminal.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Nor reorder what it shows: the bidirectional controls (marks, embeddings, overrides, isolates).
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Makes text from a tenant (logs, messages, file names) safe to print on a terminal. */
export function sanitize(text: string): string {
  // Bidi controls as `\u{202e}`, the form table cells give every invisible character.
  return text.replace(CONTROL, hex4).replace(BIDI, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/**
 * JSON for a terminal (a tenant's value or error report): JSON.stringify escapes the C0 controls but leaves
 * DEL, the C1 controls (U+009B is a CSI) and the bidirectional controls as they are; they are escaped as
 * `\\u009b`, which is the same JSON.
 */
export function terminalJson(value: unknown, space?: number): string {
  return (JSON.stringify(value, null, space) ?? "null").replace(CONTROL, hex4).replace(BIDI, hex4);
}

/** One line, newlines included: for file names and messages inside a single output line. */
export function sanitizeLine(text: string): string {
  return sanitize(text).replace(/\r?\n/g, "\\n").replace(/\t/g, " ");
}

/** Tenant console output as `[level] message`, every line of a multi-line message prefixed. */
export function formatLogs(logs: readonly LogEntry[], indent = ""): string {
  let out = "";
  for (const { level, message } of logs) {
    const prefix = `${indent}[${sanitizeLine(level)}] `;
    for (const line of sanitize(message).split("\n")) out += prefix + line + "\n";
  }
  return out;
}

/** Compact one-line JSON, cut at `max` characters. */
export function brief(value: unknown, max = 160): string {
  const json = value === undefined ? "undefined" : JSON.stringify(value);
  const text = sanitizeLine(json ?? String(value));
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

// Controls, format characters (bidi, zero-width, tags), line separators, default-ignorables and combining
// marks: whatever can reorder, hide or overprint text on a terminal.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{M}]/gu;

/** Tenant-controlled text (file names, user ids) in a table column: never moves the terminal's cursor. */
export function cell(text: string, width: number): string {
  // Control characters (sanitizeLine), and the invisible ones that reorder or hide text on a terminal.
  const clean = [...sanitizeLine(text).replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)];
  // By code point, so a cut never splits a surrogate pair.
  return (clean.length > width ? clean.slice(0, width - 1).join("") + "…" : clean.join("")).padEnd(width);
}

/**
 * One JSON line, still valid JSON, with the invisible characters as \\u escapes (a terminal shows them as text);
 * a queued job's value (JsonText) written in as it was kept.
 */
export function jsonLine(value: unknown): string {
  return withRawValues(value).replace(INVISIBLE, (c) => [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")) + "\n";
}
