/**
 * A logger for an error that repeats while an engine is away (a Redis client reconnecting every few
 * hundred ms): said once per interval, not on every attempt. Requests answer 503 meanwhile.
 */
export function throttledLog(log: (message: string, error: unknown) => void, message: string, everyMs = 60_000): (error: unknown) => void {
  let last = -Infinity;
  return (error) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    log(message, error);
  };
}
