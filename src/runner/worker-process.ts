/**
 * A sandbox process: one worker of the pool, in a process of its own. Its main thread runs the
 * invocations (realms, guards, limits); a heap the process cannot contain ends this process only, and a
 * call that outlives its hard stop is ended with the process. Speaks to the runtime over the IPC channel.
 */
import { Worker } from "node:worker_threads";
import { createInvocationHost } from "./invocation-host.js";
import type { InvocationOutcome } from "./protocol.js";
import type { WorkerProcessMessage, HostToWorkerMessage } from "./process-protocol.js";

// Nothing a tenant does may be printed or inspected here.
process.on("unhandledRejection", () => {});
process.setUncaughtExceptionCaptureCallback(() => process.exit(70));

// If the runtime's process dies, nobody is left to stop a call that runs no guard (a catastrophic regex):
// a thread that does not depend on this process's event loop ends the process when its parent is gone.
const watchdog = new Worker(
  `const parent = process.ppid;
   setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL"); }, 500);`,
  { eval: true, env: {}, resourceLimits: { maxOldGenerationSizeMb: 8 } },
);
watchdog.unref();

const send = (message: WorkerProcessMessage) => {
  if (process.connected) process.send!(message);
};
let host: ReturnType<typeof createInvocationHost> | undefined;

process.on("message", (message: HostToWorkerMessage) => {
  switch (message.t) {
    case "init":
      host = createInvocationHost({
        readyContexts: message.readyContexts,
        // No thread of the host can reach into this process: the guards' clock check and the hard stop
        // (killing this process) enforce time here. The flag slot exists but is never raised.
        stopFlags: new Int32Array(new SharedArrayBuffer(4)),
        sendTool: (request) => send({ t: "tool", request }),
      });
      send({ t: "ready" });
      break;
    case "run":
      void host!.run({ ...message.task, stopSlot: 0 }).then((outcome: InvocationOutcome) => send({ t: "result", id: message.id, outcome }));
      break;
    case "tool-reply":
      host?.toolReply(message.reply);
      break;
  }
});
// The runtime went away: so does this process.
process.on("disconnect", () => process.exit(0));
