import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTempDir, makeTenant, sleep, waitFor } from "./helpers.js";

/* Regressions for the review of the registry's watch mode. */

afterAll(() => cleanupTenants());

describe("watch mode corner cases", () => {
  it("a file changed while its folder's watcher is still scanning is not served stale", async () => {
    const folder = makeTenant({ "a.js": "exports.v = () => 1;" });
    const runtime = makeRuntime({ watch: true, maxThreads: 1 });
    try {
      const first = runtime.run({ folder, file: "a.js", funcName: "v" });
      fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => 2;   ");
      await first;
      await runtime.ready();
      await sleep(300);
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(2);
    } finally {
      await runtime.close();
    }
  });

  it("ready() waits for watchers still scanning, so an edit right after it is seen", async () => {
    const folder = makeTenant({ "a.js": "exports.v = () => 1;" });
    const runtime = makeRuntime({ watch: true, maxThreads: 1 });
    try {
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
      await runtime.ready();
      const reloaded = waitFor(runtime, "reload", (e) => e.files.includes("a.js"));
      fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => 2;");
      await reloaded;
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(2);
    } finally {
      await runtime.close();
    }
  });

  it("a tenant folder symlink swapped under the root serves the new target", async () => {
    const root = fs.realpathSync(makeTempDir());
    for (const v of ["v1", "v2"]) {
      fs.mkdirSync(path.join(root, "releases", v), { recursive: true });
      fs.writeFileSync(path.join(root, "releases", v, "a.js"), `exports.v = () => "${v}";`);
    }
    fs.symlinkSync("releases/v1", path.join(root, "acme"));
    const runtime = makeRuntime({ root, watch: true, maxThreads: 1 });
    try {
      await runtime.ready();
      const folder = path.join(root, "acme");
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("v1");
      const reloaded = waitFor(runtime, "reload");
      fs.symlinkSync("releases/v2", path.join(root, "acme.tmp"));
      fs.renameSync(path.join(root, "acme.tmp"), folder);
      await reloaded.catch(() => undefined);
      await sleep(200);
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("v2");
    } finally {
      await runtime.close();
    }
  });

  it("a change inside a nested tenant folder is a change of the outer one too", async () => {
    const outer = makeTenant({ "a.js": "const x = require('./sub/x.js');\nexports.v = () => x.v;", "sub/x.js": "exports.v = 1;" });
    const inner = path.join(outer, "sub");
    const runtime = makeRuntime({ watch: true, maxThreads: 1 });
    try {
      await runtime.run({ folder: outer, file: "a.js", funcName: "v" });
      await runtime.run({ folder: inner, file: "x.js", funcName: "v" }).catch(() => undefined);
      await runtime.ready();
      await expect(runtime.run({ folder: outer, file: "a.js", funcName: "v" })).resolves.toBe(1);
      const reloaded = waitFor(runtime, "reload", (e) => e.folder === fs.realpathSync(outer));
      fs.writeFileSync(path.join(inner, "x.js"), "exports.v = 2;");
      await reloaded;
      await expect(runtime.run({ folder: outer, file: "a.js", funcName: "v" })).resolves.toBe(2);
    } finally {
      await runtime.close();
    }
  });

  it("after close(), modules() and hooks() reject with CLOSED and start no watcher", async () => {
    const folder = makeTenant({ "a.js": "exports.v = () => 1;" });
    const runtime = makeRuntime({ watch: true, maxThreads: 1 });
    await runtime.close();
    await expect(runtime.hooks(folder)).rejects.toThrow(/closed/);
    await expect(runtime.modules(folder)).rejects.toThrow(/closed/);
  });
});
