import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERRORS } from "../dist/index.js";
import { SERVICE_ERROR_STATUS } from "../dist/service.js";
import { LIMITS, PER_CALL_LIMITS, shownDefault, type LimitName, type LimitSpec } from "../src/limits.js";
import { FILE_RULES, RULES } from "../src/loader/rules.js";

/** The docs and the code cannot drift: every error code and every status the code answers with is in the README. */
const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");

/** The rows of the markdown table that follows `heading`. */
function tableAfter(heading: string): string[] {
  const start = readme.indexOf(heading);
  expect(start, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  let seenTable = false;
  for (const line of readme.slice(start).split("\n").slice(1)) {
    if (line.startsWith("|")) {
      seenTable = true;
      rows.push(line);
    } else if (seenTable) break;
  }
  return rows;
}

describe("README", () => {
  it("lists every runtime error code in its error-code table", () => {
    const rows = tableAfter("### Error codes").join("\n");
    for (const code of Object.keys(ERRORS)) expect(rows, code).toContain(`\`${code}\``);
  });

  it("lists every service status with its codes, and each runtime code that answers with a status of its own", () => {
    const rows = tableAfter("Refusals are JSON");
    const rowOf = (status: number) => rows.find((row) => row.startsWith(`| ${status} |`));
    for (const [code, status] of Object.entries(SERVICE_ERROR_STATUS)) {
      expect(rowOf(status), `status ${status}`).toBeDefined();
      expect(rowOf(status), `${code} in the ${status} row`).toContain(`\`${code}\``);
    }
    for (const [code, spec] of Object.entries(ERRORS)) {
      if (spec.status === 200) continue;
      expect(rowOf(spec.status), `${code} in the ${spec.status} row`).toContain(`\`${code}\``);
    }
  });

  it("lists every limit of LIMITS with its default: options in the options table, per-call-only ones in the Limits table", () => {
    const options = tableAfter("### `new IsolatedRuntime(options)`");
    const limits = tableAfter("\n## Limits\n");
    for (const name of Object.keys(LIMITS) as LimitName[]) {
      const spec: LimitSpec = LIMITS[name];
      const rows = spec.option === false ? limits : options;
      const row = rows.find((line) => line.split("|")[1]!.includes(`\`${name}\``));
      expect(row, `${name} has a row`).toBeDefined();
      expect(row!.split("|")[2], `${name}'s default`).toContain(shownDefault(name));
    }
  });

  it("names every per-call limit among the per-call limits", () => {
    const start = readme.indexOf("- Per-call limits");
    expect(start).toBeGreaterThanOrEqual(0);
    const bullet = readme.slice(start, readme.indexOf("\n- ", start + 1));
    for (const name of PER_CALL_LIMITS) expect(bullet, name).toContain(`\`${name}\``);
  });

  it("documents every rule an issue can name in the rules table", () => {
    const rows = tableAfter("| rule | error from |").join("\n");
    for (const rule of [...Object.keys(RULES), ...Object.keys(FILE_RULES)]) expect(rows, rule).toContain(`\`${rule}\``);
  });
});
