/**
 * The realm process's `env`: set by the runtime's `env` option for every call, or by a call's own `env`.
 * Plain strings only (it is the tenant's configuration, not the host's environment, which never enters a
 * realm), bounded like the other per-call data.
 */
export const DEFAULT_ENV: Readonly<Record<string, string>> = Object.freeze({ NODE_ENV: "production" });

const MAX_ENV_KEYS = 1000;
const MAX_ENV_BYTES = 64 * 1024;

/** The env as JSON text, or why it is not one: an object of at most 1000 string values, 64 KiB in all. */
export function envJson(value: unknown): string | { problem: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    return { problem: "env must be a plain object of strings" };
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_ENV_KEYS) return { problem: `env has more than ${MAX_ENV_KEYS} variables` };
  for (const [key, text] of entries) {
    if (typeof text !== "string") return { problem: `env.${key.slice(0, 100)} must be a string` };
  }
  const json = JSON.stringify(value);
  if (json.length > MAX_ENV_BYTES) return { problem: `env is larger than ${MAX_ENV_BYTES} bytes` };
  return json;
}
