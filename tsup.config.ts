import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    service: "src/service/index.ts",
    cli: "src/cli/index.ts",
    worker: "src/runner/worker.ts",
    "worker-process": "src/runner/worker-process.ts",
    "loader-thread": "src/loader/loader-thread.ts",
  },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", service: "src/service/index.ts" } },
  // es2022+ keeps sandbox installer functions verbatim: they are stringified into the tenant realm.
  target: "es2023",
  platform: "node",
  shims: true,
  clean: true,
  splitting: false,
  sourcemap: false,
  keepNames: false,
});
