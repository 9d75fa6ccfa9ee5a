import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with a plain "N passed, N failed" line that any CI log reader understands, after one line per
 * skipped test: its file and full name, whose bracketed end says when it runs ("[as root only: ...]").
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") failed++;
        else skipped.push(`skipped: ${module.relativeModuleId} > ${test.fullName}${"note" in result && result.note ? ` (${result.note})` : ""}`);
      }
    }
    const list = skipped.length ? `\n${skipped.join("\n")}` : "";
    process.stdout.write(`${list}\n${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} skipped` : ""}\n`);
  }
}
