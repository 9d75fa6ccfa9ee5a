import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkFile } from "../src/cli/check-command.js";
import { FileReadRefused, readRegularFile } from "../src/loader/read-regular-file.js";
import { readManifestFile } from "../src/registry/manifest.js";

// What the loader reads is checked on the open descriptor: a path swapped for a FIFO, a device link or a
// bigger file after the stat is refused at once (the red-team race on module files and manifests).
describe("readRegularFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-read-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refusal = (file: string, max = 1024) => {
    try {
      readRegularFile(file, max);
    } catch (error) {
      if (error instanceof FileReadRefused) return error.reason;
      throw error;
    }
    return "read";
  };

  it("reads a regular file up to its limit", () => {
    fs.writeFileSync(path.join(dir, "a.js"), "exports.f = 1;");
    expect(readRegularFile(path.join(dir, "a.js"), 1024)).toBe("exports.f = 1;");
    expect(refusal(path.join(dir, "a.js"), 5)).toBe("too-large");
  });

  it("refuses a FIFO without waiting for a writer, a symlink and a directory", () => {
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    fs.symlinkSync("/dev/zero", path.join(dir, "zero"));
    fs.symlinkSync(path.join(dir, "a.js"), path.join(dir, "link.js"));
    expect(refusal(path.join(dir, "fifo"))).toBe("not-a-file");
    expect(refusal(path.join(dir, "zero"))).toBe("not-a-file");
    expect(refusal(path.join(dir, "link.js"))).toBe("not-a-file");
    expect(refusal(dir)).toBe("not-a-file");
  });

  it("lets other failures through as they are", () => {
    expect(() => readRegularFile(path.join(dir, "missing.js"), 10)).toThrow(/ENOENT/);
  });

  it("with the folder given, refuses a path that leads outside it through a directory swapped for a symlink", () => {
    const folder = fs.realpathSync(fs.mkdtempSync(path.join(dir, "tenant-")));
    const outside = fs.mkdtempSync(path.join(dir, "victim-"));
    fs.writeFileSync(path.join(outside, "secret.json"), '{"secret":1}');
    fs.mkdirSync(path.join(folder, "sub"));
    fs.writeFileSync(path.join(folder, "sub", "secret.json"), '{"mine":1}');
    expect(readRegularFile(path.join(folder, "sub", "secret.json"), 1024, folder)).toBe('{"mine":1}');
    // The loader resolved sub/secret.json while sub was a directory; then sub became a symlink to the victim.
    fs.rmSync(path.join(folder, "sub"), { recursive: true });
    fs.symlinkSync(outside, path.join(folder, "sub"));
    expect(refusal(path.join(folder, "sub", "secret.json"))).toBe("read");
    let reason = "";
    try {
      readRegularFile(path.join(folder, "sub", "secret.json"), 1024, folder);
    } catch (error) {
      reason = (error as FileReadRefused).reason;
    }
    expect(reason).toBe("not-a-file");
  });

  it("refuses a file with more than one hard link, whichever name is used, with or without the folder", () => {
    const folder = fs.realpathSync(fs.mkdtempSync(path.join(dir, "linked-")));
    const secret = path.join(dir, "host-secret.txt");
    fs.writeFileSync(secret, "host secret");
    // Inside the folder, realpath, O_NOFOLLOW and /proc/self/fd all see a path inside: only the link count tells.
    fs.linkSync(secret, path.join(folder, "stolen.js"));
    let refused: FileReadRefused | undefined;
    try {
      readRegularFile(path.join(folder, "stolen.js"), 1024, folder);
    } catch (error) {
      if (error instanceof FileReadRefused) refused = error;
      else throw error;
    }
    expect(refused?.reason).toBe("not-a-file");
    expect(refused?.message).toMatch(/has 2 hard links; tenant files must have exactly one/);
    expect(refusal(path.join(folder, "stolen.js"))).toBe("not-a-file");
    // Once the other name is gone, the file is the folder's own again.
    fs.unlinkSync(secret);
    expect(readRegularFile(path.join(folder, "stolen.js"), 1024, folder)).toBe("host secret");
  });

  it("every reader of tenant files refuses a hard link: the manifest and `tenantbox check`", () => {
    const folder = fs.realpathSync(fs.mkdtempSync(path.join(dir, "readers-")));
    const outside = path.join(dir, "outside-manifest.json");
    fs.writeFileSync(outside, JSON.stringify({ hooks: { "x.y": ["a.js#f"] } }));
    fs.linkSync(outside, path.join(folder, "tenantbox.json"));
    const manifest = readManifestFile(path.join(folder, "tenantbox.json"), folder);
    expect(manifest?.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^tenantbox\.json has 2 hard links/)]);
    fs.linkSync(outside, path.join(folder, "data.json"));
    expect(checkFile(path.join(folder, "data.json"), "STRICT")).toMatchObject([{ rule: "not-a-file", message: expect.stringMatching(/^file has 3 hard links/) }]);
  });
});
