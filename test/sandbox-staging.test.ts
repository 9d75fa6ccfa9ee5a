import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeTenant } from "./helpers.js";

const root = typeof process.getuid === "function" && process.getuid() === 0;
const dist = path.resolve(import.meta.dirname, "../dist");
const hidden = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-hidden-"));

afterAll(() => {
  fs.rmSync(hidden, { recursive: true, force: true });
  cleanupTenants();
});

describe.skipIf(!root)("sandbox processes of a runtime installed where the sandbox user cannot enter [as root only: only then is there a sandbox user]", () => {
  it("run from a staged copy of their code (a checkout in a 0700 directory still works)", async () => {
    // As a clone under /root would be: the unprivileged sandbox user cannot enter the directory.
    fs.chmodSync(hidden, 0o700);
    fs.cpSync(dist, path.join(hidden, "dist"), { recursive: true });
    fs.copyFileSync(path.resolve(dist, "../package.json"), path.join(hidden, "package.json"));
    fs.symlinkSync(path.resolve(dist, "../node_modules"), path.join(hidden, "node_modules"));
    const { IsolatedRuntime } = (await import(path.join(hidden, "dist/index.js"))) as typeof import("../dist/index.js");
    const runtime = new IsolatedRuntime({ maxThreads: 1 });
    try {
      const folder = makeTenant({ "a.js": "exports.f = () => 41 + 1;" });
      await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe(42);
    } finally {
      await runtime.close();
    }
  });
});
