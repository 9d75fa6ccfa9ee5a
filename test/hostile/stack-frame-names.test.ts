import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

// Issue 10, fix 8: the stack formatter showed a frame when its file name was one of the tenant's files, so a
// tenant file named like a host script (node:vm, tenantbox:sandbox, node:internal/...) let the host's own
// frames of that name through, line numbers and all (fingerprinting). A frame is the tenant's only when its
// script is one the sandbox compiled for a tenant module. Outside the hostile harness: its leak check flags
// these names even in the tenant's own frames.

/** Each module calls the next; the last throws (sync) or throws after an await (async: the pump's frames). */
const NAMES = ["tenantbox:sandbox", "tenantbox:run", "tenantbox:pump", "node:vm", "node:internal/vm", "node:internal/process/task_queues"];

function chain(): Record<string, string> {
  const files: Record<string, string> = {};
  // Every tenant file is 3 lines long: a frame of a host script with the same name has a larger line number.
  NAMES.forEach((name, i) => {
    const next = NAMES[i + 1];
    files[name] = next
      ? `const next = require("./${path.posix.relative(path.posix.dirname(name), next)}");\nexports.go = () => next.go();\nexports.later = async () => next.later();\n`
      : `exports.go = () => { throw new Error("boom"); };\nexports.later = async () => { await null; throw new Error("boom later"); };\n\n`;
  });
  files["main.js"] = `const first = require("./${NAMES[0]}");\nexports.f = () => { try { first.go(); } catch (e) { return e.stack; } };\nexports.g = () => first.later();\n`;
  return files;
}

const TENANT_FILES = new Set([...NAMES, "main.js"]);

/** Frames that are not the tenant's (a file it does not have, or a line past the end of its 3-line files). */
function foreignFrames(stack: string): string[] {
  return stack
    .split("\n")
    .slice(1)
    .filter((line) => {
      const m = /^\s+at (?:async )?(?:[^()]* \()?(.+):(\d+):(\d+)\)?$/.exec(line);
      return !m || !TENANT_FILES.has(m[1]!) || Number(m[2]) > 3;
    });
}

describe("stack frames are the tenant's by what they are, not by their file name", () => {
  const runtime = makeRuntime({ securityLevel: "PERMISSIVE" });
  afterAll(async () => {
    await runtime.close();
    cleanupTenants();
  });

  it("tenant files named node:vm, tenantbox:sandbox, node:internal/...: no host frame in a caught error's stack", async () => {
    const folder = makeTenant(chain());
    const stack = await runtime.run({ folder, file: "main.js", funcName: "f" });
    expect(typeof stack).toBe("string");
    expect(foreignFrames(stack as string), stack as string).toEqual([]);
    // The tenant's own frames are all there: each module's go() and f itself.
    expect((stack as string).split("\n").length - 1, stack as string).toBe(Math.min(NAMES.length + 1, 10));
  });

  it("the same for an uncaught error after an await, and for the entry file itself named tenantbox:sandbox", async () => {
    const folder = makeTenant(chain());
    const report = await runtime.execute({ folder, file: "main.js", funcName: "g" });
    expect(report.success, JSON.stringify(report)).toBe(false);
    const stack = (report.error?.details as { stack?: string } | undefined)?.stack ?? "";
    expect(stack, JSON.stringify(report)).toMatch(/^Error: boom later/);
    expect(foreignFrames(stack), stack).toEqual([]);
    const direct = await runtime.execute({ folder, file: "tenantbox:sandbox", funcName: "go" });
    const directStack = (direct.error?.details as { stack?: string } | undefined)?.stack ?? "";
    expect(directStack).toMatch(/^Error: boom/);
    expect(foreignFrames(directStack), directStack).toEqual([]);
  });

  it("a stack stays bounded whatever the tenant names its functions and says in its messages", async () => {
    const folder = makeTenant({
      "main.js": `exports.f = () => {
  const n = "x".repeat(1 << 20);
  const o = { [n]() { throw new Error(n); } };
  const rec = (k) => (k === 0 ? o[n]() : rec(k - 1));
  try { rec(20); } catch (e) { return [e.stack.length, e.stack.split("\\n").length]; }
};
`,
    });
    const [length, lines] = (await runtime.run({ folder, file: "main.js", funcName: "f" })) as [number, number];
    // Head (name and message, each at most 8 KiB) plus at most 10 frames of at most 200-character names.
    expect(length).toBeLessThan(8200 + 10 * 300);
    expect(lines).toBe(11);
  });
});
