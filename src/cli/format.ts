import type { LogEntry } from "../index.js";

// C0 controls except tab and newline, DEL and C1 controls: a tenant must not drive the terminal.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Makes text from a tenant (logs, messages, file names) safe to print on a terminal. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
