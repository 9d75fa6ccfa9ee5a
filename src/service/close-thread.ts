import type { Worker } from "node:worker_threads";

/**
 * Ends a thread that closes itself on the message "close" (its database connection first), after the
 * messages posted before: resolves once it has exited. Nothing to do without one.
 */
export async function closeThread(worker: Worker | undefined): Promise<void> {
  if (!worker) return;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  worker.ref();
  worker.postMessage("close");
  await exited;
}
