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
let toolPort: MessagePort | undefined;

const host = createInvocationHost({
  readyContexts: settings.readyContexts,
  stopFlags: new Int32Array(settings.stopFlags),
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

export default function runInvocation(task: InvocationTask): Promise<InvocationOutcome> {
  return host.run(task);
}
