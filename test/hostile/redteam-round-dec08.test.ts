import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, longestStall, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 08 (the host's main thread, escapes, leaks). Findings:
 *
 *   F1 A tenant's tenantbox.json read through glibc's realpath: registry.manifest() -> readManifestFile() resolved
 *      the manifest's path with fs.realpathSync.native, which walks every prefix again (quadratic in depth) and
 *      starts over after each symlink. `tenantbox.json` -> `a0`, `a{i}` -> `s/u{i}` (`s` a one-byte-ish symlink
 *      to a directory 2,000 levels deep), `deep/u{i}` -> `<folder>/a{i+1}`, eleven times, the last to the
 *      manifest inside the deep directory: one hooks() / emit() held the host's main thread 2.0-2.7 s (0.25 s
 *      with the manifest behind `s` alone). The module paths had been moved to the kernel's one walk
 *      (real-path.ts) in the second round; the manifest's had not.
 */

afterAll(() => cleanupTenants());

/** The deep directory, the `s` link to it, and `tenantbox.json` reaching the manifest through `links` round trips. */
function deepManifestTenant(links: number): string {
  const folder = fs.realpathSync(makeTenant({ "h.js": "exports.f = () => 'ok';" }));
  const deep = path.join(folder, ...Array.from({ length: 2000 }, () => "d"));
  fs.mkdirSync(deep, { recursive: true });
  fs.symlinkSync(path.relative(folder, deep), path.join(folder, "s"));
  fs.writeFileSync(path.join(deep, "m.json"), JSON.stringify({ hooks: { tick: ["h.js#f"] } }));
  for (let i = 0; i < links; i++) {
    fs.symlinkSync(`s/u${i}`, path.join(folder, `a${i}`));
    fs.symlinkSync(path.join(folder, `a${i + 1}`), path.join(deep, `u${i}`));
  }
  fs.symlinkSync("s/m.json", path.join(folder, `a${links}`));
  fs.symlinkSync("a0", path.join(folder, "tenantbox.json"));
  return folder;
}

describe("red team round dec08: the host's main thread", () => {
  it("F1 a manifest reached through a deep directory and a chain of symlinks: hooks() and emit() without stalling", async () => {
    const folder = deepManifestTenant(11);
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      await runtime.run({ folder, file: "h.js", funcName: "f" });
      let hooks: Awaited<ReturnType<typeof runtime.hooks>> | undefined;
      const stall = await longestStall(async () => {
        hooks = await runtime.hooks(folder);
        await runtime.emit("tick", null, { folder });
      });
      // 2,000-2,700 ms before the fix; the kernel's walk takes a few.
      expect(stall).toBeLessThan(150);
      // Whatever the verdict, the runtime answers with one (the manifest is inside the folder).
      expect(hooks).toBeDefined();
    } finally {
      await runtime.close();
    }
  });
});
