import { JsonText } from "../../runner/json-text.js";
import type { AttemptResult } from "./delivery-store.js";

/**
 * An attempt's result as a job store keeps it: its own fields as JSON (the service's, small), and the
 * handler's value apart, as the JSON text the sandbox wrote. Reading a job back parses the fields only: the
 * value goes into the reply as it is (http-replies.ts), never parsed on the host's thread (invariant 8).
 */
export function resultColumns(result: AttemptResult): { result: string; value: string | null } {
  const { value, ...fields } = result;
  return { result: JSON.stringify(fields), value: value === undefined ? null : value.text };
}

/** The stored columns as an AttemptResult again; the value last, where it always was in the reply. */
export function storedResult(result: string | null, value: string | null): AttemptResult | null {
  if (result === null) return null;
  const read = JSON.parse(result) as AttemptResult;
  if (value !== null) read.value = new JsonText(value);
  return read;
}
