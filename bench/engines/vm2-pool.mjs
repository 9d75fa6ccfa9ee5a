// Engine 2: vm2's NodeVM created per call inside a piscina pool (the engine isolated-runtime runs on).
import { createPiscinaEngine } from "./piscina-pool.mjs";

const description =
  "piscina pool; per call a new vm2 NodeVM (console off, require: no external, no builtins, sandbox { context, callTool }), vm.run(source, filename), then the export is called; tool calls: MessagePort round trip to the same main-thread handler";

export async function create({ threads }) {
  return createPiscinaEngine("vm2", description, new URL("./vm2-worker.mjs", import.meta.url), threads);
}
