import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertSupportedNode } from "../src/node-version.js";

const dist = path.resolve(import.meta.dirname, "../dist");

/** A Node.js older than 22.12 on this machine (the system's), to run the built package with. */
function olderNode(): string | undefined {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    if (!fs.existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout.trim().replace(/^v/, "");
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (major < 22 || (major === 22 && minor < 12)) return candidate;
  }
  return undefined;
}
const older = olderNode();

describe("an older Node.js", () => {
  it("is refused with the version needed and what to do", () => {
    expect(() => assertSupportedNode("20.20.2")).toThrow(/needs Node\.js 22\.12 or newer; this is Node\.js 20\.20\.2\. Install/);
    expect(() => assertSupportedNode("22.11.0")).toThrow(/22\.12/);
    for (const ok of ["22.12.0", "22.20.1", "24.21.0", "30.0.0"]) expect(() => assertSupportedNode(ok)).not.toThrow();
  });

  // Skipped where this machine has no Node.js older than 22.12 to try (the check above still runs).
  it.runIf(older !== undefined)("the CLI, the library and the service entry refuse it before anything runs (no segfault, no stack) [needs a Node.js older than 22.12 as the system's node]", () => {
    const serve = spawnSync(older!, [path.join(dist, "cli.js"), "serve", "--root", "examples/modules", "--config", "examples/tenants.json", "--dev"], {
      encoding: "utf8",
      cwd: path.resolve(dist, ".."),
      timeout: 20_000,
    });
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(/^tenantbox needs Node\.js 22\.12 or newer/);
    expect(serve.stderr).not.toMatch(/\n\s+at /);
    for (const entry of ["index.cjs", "service.cjs"]) {
      const load = spawnSync(older!, ["-e", `try { require(${JSON.stringify(path.join(dist, entry))}); } catch (e) { console.log(e.message); process.exit(3); }`], { encoding: "utf8", timeout: 20_000 });
      expect(load.status, entry).toBe(3);
      expect(load.stdout, entry).toMatch(/needs Node\.js 22\.12 or newer/);
    }
  });
});
