/**
 * The sandbox process: hosts the worker pool so that whatever takes a worker down hard (V8 aborting the
 * whole process on some out-of-memory paths, threads that terminate() cannot stop) takes down this process
 * only, never the platform's. Speaks to the runtime over the IPC channel.
 */
import { WorkerPool, type PoolOptions } from "./pool.js";
import type { InvocationOutcome, ToolReply } from "./protocol.js";
import type { HostMessage, PoolHostMessage } from "./process-protocol.js";

// Nothing a tenant does may be printed or inspected here either.
process.on("unhandledRejection", () => {});
process.setUncaughtExceptionCaptureCallback(() => process.exit(70));

const send = (message: PoolHostMessage) => {
  if (process.connected) process.send!(message);
};
let pool: WorkerPool | undefined;
const toolReplies = new Map<string, (reply: ToolReply) => void>();

process.on("message", (message: HostMessage) => {
  switch (message.t) {
    case "init": {
      const options: PoolOptions = {
        ...message.options,
        onToolRequest: (request, reply) => {
          const key = `${request.invocationId}:${request.callId}`;
          toolReplies.set(key, reply);
          send({ t: "tool", key, request });
        },
      };
      pool = new WorkerPool(options);
      send({ t: "ready" });
      break;
    }
    case "run":
      void pool!.run(message.task, message.timeoutMs).then((outcome: InvocationOutcome) => {
        // Tool calls the invocation left unanswered will never be wanted.
        const prefix = `${message.task.invocationId}:`;
        for (const key of toolReplies.keys()) if (key.startsWith(prefix)) toolReplies.delete(key);
        send({ t: "result", id: message.id, outcome });
      });
      break;
    case "tool-reply": {
      const reply = toolReplies.get(message.key);
      toolReplies.delete(message.key);
      reply?.(message.reply);
      break;
    }
    case "close":
      void pool?.destroy().finally(() => process.exit(0));
      break;
  }
});
// The runtime went away: so does this process.
process.on("disconnect", () => process.exit(0));
