import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compatFolder, compatSource, installCompatFolder } from "./compat-folder.js";
import { IsolatedRuntime } from "./helpers.js";

/*
 * The compatibility suite: a tenant folder whose package.json and package-lock.json pin popular pure-JS
 * packages (test/compat/tenant), installed with `npm ci` into a cache directory named by the lockfile's hash
 * (node_modules/.cache/tenantbox-compat/<hash>: a changed lockfile installs again, an unchanged one never
 * does), and one module per package under checks/ that exercises it and says what it must return.
 */
const source = compatSource;
const folder = compatFolder;
const checks = fs.readdirSync(path.join(source, "checks")).sort();

/** Packages that cannot work here, and the error that says why (asserted, so a change in either shows). */
const KNOWN_FAILURES: Record<string, RegExp> = {
  // immer drafts are Proxies; the realm has no Proxy (SECURITY.md: host code reads tenant objects).
  "immer.mjs": /Proxy is not defined/,
};

function install(): void {
  installCompatFolder();
}

let runtime: InstanceType<typeof IsolatedRuntime>;

beforeAll(() => {
  install();
  runtime = new IsolatedRuntime({ timeout: 10_000 });
}, 300_000);

afterAll(async () => {
  await runtime?.close();
});

describe(`npm packages in a tenant folder (${checks.length} packages, test/compat/tenant)`, () => {
  it("pins at least 30 packages, each with a check", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const names = Object.keys(pkg.dependencies);
    expect(names.length).toBeGreaterThanOrEqual(30);
    for (const name of names) expect(checks.some((file) => file.replace(/\.m?js$/, "") === name), name).toBe(true);
  });

  for (const file of checks) {
    it(file.replace(/\.m?js$/, ""), async () => {
      const result = await runtime.execute({ folder, file: `checks/${file}`, funcName: "check" });
      const known = KNOWN_FAILURES[file];
      if (known) {
        expect(result.success, "a known failure now works: take it off KNOWN_FAILURES").toBe(false);
        expect(result.error?.message).toMatch(known);
        return;
      }
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      const expected = await runtime.run({ folder, file: `checks/${file}`, funcName: "expected" });
      expect(result.value).toEqual(expected);
    });
  }
});
