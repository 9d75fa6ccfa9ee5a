import { describe, expect, it } from "vitest";
import { backoffMs, FINAL_CODES, MAX_BACKOFF_MS, verdict } from "../src/service/delivery/retry-policy.js";

describe("queued delivery: the retry policy", () => {
  it("waits within the exponential window, jittered (half of it at least), capped", () => {
    for (const [attempt, window] of [[1, 1000], [2, 2000], [3, 4000], [12, MAX_BACKOFF_MS]] as const) {
      expect(backoffMs(attempt, 1000, () => 0)).toBe(window / 2);
      expect(backoffMs(attempt, 1000, () => 0.999999)).toBeLessThanOrEqual(window);
    }
  });

  it("retries transient failures until the attempts are used; never what cannot change", () => {
    expect(verdict(undefined, 1, 3, 0)).toEqual({ kind: "done" });
    expect(verdict("TIMEOUT", 1, 3, 100, 1000, () => 0)).toEqual({ kind: "retry", at: 600 });
    expect(verdict("RUNTIME_ERROR", 3, 3, 0)).toEqual({ kind: "dead" });
    for (const code of ["VALIDATION_ERROR", "MODULE_NOT_FOUND", "FUNCTION_NOT_FOUND", "PERMISSION_DENIED", "CODE_TOO_LARGE"]) {
      expect(FINAL_CODES.has(code)).toBe(true);
      expect(verdict(code, 1, 5, 0)).toEqual({ kind: "dead" });
    }
  });
});
