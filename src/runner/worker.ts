import { MessageChannel, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { createInvocationHost } from "./invocation-host.js";
import type { InvocationOutcome, InvocationTask, ToolPortMessage, ToolReply, ToolRequest, WorkerSettings } from "./protocol.js";

// Tenant promises that nobody handles must never reach Node's default handler: it would inspect the
// tenant's object on the host side (util.inspect calls methods of the object it prints).
process.on("unhandledRejection", () => {});
// Likewise any exception that escapes to this thread's top level: never print or serialize it (it may be
// a tenant object). The worker is no longer trustworthy: end it; piscina reports its tasks and replaces it.
process.setUncaughtExceptionCaptureCallback(() => {
  process.exit(70);
});

const settings = workerData as WorkerSettings;
const stopFlags = new Int32Array(settings.stopFlags);
let toolPort: MessagePort | undefined;

const host = createInvocationHost({
  readyContexts: settings.readyContexts,
  stopFlags,
  sendTool(request: ToolRequest): void {
    if (!toolPort) {
      // The first tool call of this worker opens its own channel to the host thread.
      const channel = new MessageChannel();
      toolPort = channel.port1;
      toolPort.on("message", (reply: ToolReply) => host.toolReply(reply));
      toolPort.unref();
      const message: ToolPortMessage = { type: "tenantbox:tool-port", port: channel.port2 };
      parentPort!.postMessage(message, [channel.port2]);
    }
    toolPort.postMessage(request);
  },
});

/**
 * A call whose stop flag is raised while it waits (a timer, a tool, a promise) runs no guard to see it: the
 * runtime notifies the flag (a cancelled call, a deadline passed), and the change ends the call here as the
 * process's "cancel" message does, so the thread serves on instead of being terminated after the grace.
 */
function watchStopFlag(task: InvocationTask): () => void {
  const { stopSlot: slot, invocationId } = task;
  let watching = true;
  const raised = () => {
    if (watching && Atomics.load(stopFlags, slot) === invocationId) host.cancel(invocationId);
  };
  const wait = Atomics.waitAsync(stopFlags, slot, 0);
  if (!wait.async) queueMicrotask(raised);
  else void wait.value.then(raised);
  return () => {
    watching = false;
    // The slot serves other calls next: this call's waiter must not stay behind.
    if (wait.async) Atomics.notify(stopFlags, slot);
  };
}

export default async function runInvocation(task: InvocationTask): Promise<InvocationOutcome> {
  const unwatch = watchStopFlag(task);
  try {
    return await host.run(task);
  } finally {
    unwatch();
  }
}
