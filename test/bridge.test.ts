import { describe, expect, it } from "vitest";
import { dispatchHostCall, URL_PARTS, type HostOpHandlers } from "../src/runner/bridge.js";

/** A handler table that records which operation ran. */
function recorder() {
  const calls: string[] = [];
  const row = (op: string, answer: string | number | undefined) => (self: string[], a: unknown, b: unknown) => {
    self.push(`${op}(${String(a)},${String(b)})`);
    return answer as never;
  };
  const handlers: HostOpHandlers<string[]> = {
    log: row("log", undefined),
    timer: row("timer", 1),
    clearTimer: row("clearTimer", undefined),
    tool: row("tool", 1),
    next: row("next", undefined),
    done: row("done", undefined),
    fail: row("fail", undefined),
    fatal: row("fatal", undefined),
    url: row("url", ""),
    position: row("position", ""),
    random: row("random", ""),
    key: row("key", ""),
    compile: row("compile", ""),
  };
  return { calls, handlers };
}

describe("the realm's host function (bridge.ts)", () => {
  it("runs only the table's own operations", () => {
    const { calls, handlers } = recorder();
    expect(dispatchHostCall(handlers, calls, "timer", 5, 0)).toBe(1);
    for (const op of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "", "TIMER"]) {
      expect(dispatchHostCall(handlers, calls, op, 1, 2), op).toBeUndefined();
    }
    for (const op of [undefined, null, 1, {}, Symbol("timer")]) expect(dispatchHostCall(handlers, calls, op, 1, 2)).toBeUndefined();
    expect(calls).toEqual(["timer(5,0)"]);
  });

  it("reads every part a URL has", () => {
    const url = new URL("https://u:p@example.com:8080/a/b?x=1#h");
    for (const part of URL_PARTS) expect(typeof url[part], part).toBe("string");
  });
});
