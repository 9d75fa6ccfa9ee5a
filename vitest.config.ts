import { defineConfig } from "vitest/config";

// Suites that start whole process trees (several `tenantbox serve` processes, each with its sandbox
// processes): they run after the others, by themselves, so that they never starve the timing-bound
// runtime suites of the machine's cores.
const PROCESS_TREES = ["test/multi-node.test.ts", "test/serve-workers.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each suite starts its own worker pool; two files at a time fit a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "in-process", include: ["test/**/*.test.ts"], exclude: PROCESS_TREES, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "process-trees", include: PROCESS_TREES, sequence: { groupOrder: 1 } } },
    ],
  },
});
