import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, IsolatedRuntime, longestStall, makeTempDir } from "../helpers.js";

/*
 * Red-team round of Dec 07 (second): watch mode and the registry, the HTTP service, the newest shims.
 *
 *   W1 The folder watcher (chokidar) holds one inotify watch per file and directory of every tenant folder, from
 *      the system's per-user budget (fs.inotify.max_user_watches, 192,540 here; shared with every process of the
 *      host's user). A tenant that writes more files than that uses it up; then the watches of another tenant's
 *      new directory are refused (ENOSPC), the watcher's error was swallowed, and that tenant's folder stayed
 *      "trusted" (served from memory, no stat): an edit of a module in the new directory was never reloaded, the
 *      old version served for the rest of the runtime's life. Now a folder with a blind spot (a path the watcher
 *      could not watch) is checked on every call, as without watch.
 *      Reproduced in a user namespace with its own, lower, inotify budget (/proc/sys/user/max_inotify_watches,
 *      per user namespace): 3,000 watches, 4,000 files.
 *   W2 Every settled batch of changes was sorted into folders by comparing each changed path with every folder the
 *      registry knows (Registry.onChanges, and folderOf for each module event): changes x folders string
 *      comparisons on the host's main thread. Under a root of 20,000 tenant folders, one tenant writing 10,000
 *      files held the main thread 6.4 s (3,000 folders: 0.4-1.0 s). Now a path's ancestors are looked up instead
 *      (its depth, not the number of folders): 40-150 ms, the watcher's own work.
 */

afterAll(() => cleanupTenants());

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/index.js");

/** `unshare --user --map-root-user` and a writable per-namespace inotify budget: not on every platform. */
function userNamespaces(): boolean {
  const probe = spawnSync("unshare", ["--user", "--map-root-user", "sh", "-c", "echo 100 > /proc/sys/user/max_inotify_watches"], { encoding: "utf8" });
  return probe.status === 0;
}

const CHILD = (dist: string, root: string) => `
import fs from "node:fs";
import path from "node:path";
import { IsolatedRuntime } from ${JSON.stringify(dist)};
const root = ${JSON.stringify(root)};
const A = path.join(root, "a"), B = path.join(root, "b");
fs.mkdirSync(A); fs.mkdirSync(path.join(B, "v1"), { recursive: true });
fs.writeFileSync(path.join(B, "v1/m.js"), "exports.f = () => 1;");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Threads: in the namespace the host is a root whose unprivileged user is not mapped (no sandbox processes).
const runtime = new IsolatedRuntime({ root, watch: true, maxThreads: 1, timeout: 5000, isolation: "thread" });
await runtime.ready();
const run = (file) => runtime.run({ folder: B, file, funcName: "f" }).catch((error) => error.code);
const out = { v1: await run("v1/m.js") };
// Tenant A: more files than the namespace's 3,000 watches.
for (let i = 0; i < 4000; i++) fs.writeFileSync(path.join(A, "f" + i + ".txt"), "");
await sleep(3000);
// Tenant B deploys a new directory, runs it, then edits it (write and rename, as a deploy does).
fs.mkdirSync(path.join(B, "v2"));
fs.writeFileSync(path.join(B, "v2/m.js"), "exports.f = () => 2;");
await sleep(1500);
out.v2 = await run("v2/m.js");
fs.writeFileSync(path.join(B, "v2/m.js.tmp"), "exports.f = () => 3;");
fs.renameSync(path.join(B, "v2/m.js.tmp"), path.join(B, "v2/m.js"));
await sleep(2000);
out.edited = await run("v2/m.js");
await runtime.close();
console.log(JSON.stringify(out));
`;

describe("red team dec07 (2): watch mode", () => {
  it.skipIf(!userNamespaces())("W1 a tenant that uses up the system's inotify watches does not make another tenant's edits go unserved", { timeout: 90_000 }, () => {
    const root = fs.realpathSync(makeTempDir());
    const script = path.join(makeTempDir(), "child.mjs");
    fs.writeFileSync(script, CHILD(DIST, root));
    const child = spawnSync("unshare", ["--user", "--map-root-user", "sh", "-c", `echo 3000 > /proc/sys/user/max_inotify_watches && exec "${process.execPath}" "${script}"`], {
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split("\n").pop()!);
    expect(out).toEqual({ v1: 1, v2: 2, edited: 3 });
  });

  it("W2 one tenant's 10,000 new files under a root of 20,000 known tenant folders: no long stall of the main thread", { timeout: 120_000 }, async () => {
    const root = fs.realpathSync(makeTempDir());
    const folders = Array.from({ length: 20_000 }, (_, t) => path.join(root, `t${t}`));
    for (const folder of folders) fs.mkdirSync(folder);
    const runtime = new IsolatedRuntime({ root, watch: true, maxThreads: 1, minThreads: 1, timeout: 2000 });
    try {
      await runtime.ready();
      // Every folder known to the registry (as once each tenant has been called).
      for (const folder of folders) await runtime.hooks(folder);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(folders[0]!, `f${i}.txt`), "");
      const longest = await longestStall(() => new Promise((resolve) => setTimeout(resolve, 4000)));
      // Before: 6.4 s; after: 40-150 ms. Generous for a busy 2-core machine.
      expect(longest).toBeLessThan(1500);
    } finally {
      await runtime.close();
    }
  });
});
