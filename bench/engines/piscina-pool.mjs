// The pool the vm2 and floor engines share: piscina with the same shape as tenantbox's
// (fixed size, one task per worker at a time, atomics "async"), tool calls served on the main thread.
import { Piscina } from "piscina";
import { toolHandler } from "../workloads.mjs";
import { serveTools } from "./tool-port.mjs";

export function createPiscinaEngine(name, description, workerUrl, threads) {
  const piscina = new Piscina({
    filename: workerUrl.href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    atomics: "async",
    idleTimeout: 60_000,
  });
  serveTools(piscina, toolHandler);
  return {
    name,
    description,
    piscina,
    // Results come back as JSON text, as tenantbox's do.
    call: async (request) => {
      const json = await piscina.run(request);
      return json === undefined ? undefined : JSON.parse(json);
    },
    close: () => piscina.destroy(),
  };
}
