import { createHash } from "node:crypto";

/**
 * The value with every object's keys in sorted order. An object with a `__proto__` key is copied to a
 * null-prototype object (the key stays a key); the others to plain objects, which JSON.stringify serializes
 * on V8's fast path, about twice as deep as null-prototype ones before the stack runs out.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const out = (Object.hasOwn(value, "__proto__") ? Object.create(null) : {}) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * What an Idempotency-Key stands for: the event's name, payload and context, as a hash. A repeat must send
 * the same three (keys in any order) to get the first answer; a key used again for another request is refused.
 */
export function requestFingerprint(event: string, payload: unknown, context: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(sortedKeys([event, payload ?? null, context ?? null])))
    .digest("base64url");
}
