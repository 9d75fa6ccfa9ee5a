import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The compatibility suite's tenant folder (test/compat/tenant): its package.json and package-lock.json, installed
 * with `npm ci` into a cache directory named by the lockfile's hash (node_modules/.cache/tenantbox-compat/<hash>:
 * a changed lockfile installs again, an unchanged one never does), and its checks/ copied on every run.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const compatSource = path.join(here, "compat", "tenant");
const lockfile = fs.readFileSync(path.join(compatSource, "package-lock.json"));
const hash = createHash("sha256").update(lockfile).update(fs.readFileSync(path.join(compatSource, "package.json"))).digest("hex").slice(0, 16);
export const compatFolder = path.join(here, "..", "node_modules", ".cache", "tenantbox-compat", hash);

/** Installs the folder's packages (once per lockfile) and copies its checks; returns the folder. */
export function installCompatFolder(): string {
  const folder = compatFolder;
  const marker = path.join(folder, ".installed");
  if (!fs.existsSync(marker)) {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(compatSource, file), path.join(folder, file));
    // No install scripts: a tenant's packages are data here, and pure JS needs none.
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: folder, stdio: "inherit" });
    fs.writeFileSync(marker, hash);
  }
  // The checks are the suite's own code: copied every run.
  fs.rmSync(path.join(folder, "checks"), { recursive: true, force: true });
  fs.cpSync(path.join(compatSource, "checks"), path.join(folder, "checks"), { recursive: true });
  return folder;
}
