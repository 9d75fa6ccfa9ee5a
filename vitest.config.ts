import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each suite starts its own worker pool; two files at a time fit a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
