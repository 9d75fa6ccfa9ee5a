// Engine 3: the floor. A cached vm.Script per module source, run in a fresh vm.createContext() per call,
// with no defenses at all (no validation, no guards, no freezing, no limits).
import { createPiscinaEngine } from "./piscina-pool.mjs";

const description =
  "piscina pool; module compiled once per worker as a vm.Script (CommonJS wrapper), run per call in a fresh vm.createContext({ context, callTool, console }); no defenses; tool calls: MessagePort round trip to the same main-thread handler";

export async function create({ threads }) {
  return createPiscinaEngine("floor", description, new URL("./floor-worker.mjs", import.meta.url), threads);
}
