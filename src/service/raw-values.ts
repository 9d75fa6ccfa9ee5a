import { randomUUID } from "node:crypto";
import { JsonText } from "../runner/json-text.js";

/**
 * JSON of `body` with every JsonText (a tenant's value, as the sandbox serialized it) written in as it is: a
 * placeholder string stands in its place while the rest is serialized, then the text replaces it. The
 * placeholder holds a random token of this process, so no tenant string can be taken for one.
 */
export function withRawValues(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => (value instanceof JsonText ? RAW_MARK + (raws.push(value.text) - 1) : value));
  if (raws.length === 0) return text;
  return text.replace(RAW_PLACEHOLDER, (_whole, index: string) => raws[Number(index)]!);
}

const RAW_MARK = `\u0000tenantbox-raw-${randomUUID()}-`;
/** RAW_MARK and its index as JSON.stringify writes them: a JSON string, its NUL escaped. */
const RAW_PLACEHOLDER = new RegExp(`${JSON.stringify(RAW_MARK).slice(0, -1).replace(/\\/g, "\\\\")}(\\d+)"`, "g");
