import { MachineStateClient, type PrimaryChannel } from "../src/service/machine-state-client.js";
import { isMachineRequest, type MachineState } from "../src/service/machine-state.js";
import { UsageLimiter } from "../src/service/usage-limiter.js";

/**
 * Service process `holder`'s channel to a primary keeping `state`: each message copied (as over IPC) and
 * applied on a later turn of the event loop, as the cluster primary (serve-cluster.ts) does; the answer's
 * way back delayed by `replyDelayMs` (a primary slow to answer).
 */
export function channelTo(state: MachineState, holder: number, replyDelayMs = 0): PrimaryChannel {
  const listeners: ((message: unknown) => void)[] = [];
  return {
    send(message, callback) {
      const copy: unknown = JSON.parse(JSON.stringify(message));
      setImmediate(() => {
        callback(null);
        if (!isMachineRequest(copy)) return;
        void state.answer(holder, copy).then((reply) => {
          const deliver = () => listeners.forEach((l) => l(JSON.parse(JSON.stringify(reply))));
          if (replyDelayMs > 0) setTimeout(deliver, replyDelayMs);
          else deliver();
        });
      });
      return true;
    },
    on(_event, listener) {
      listeners.push(listener);
    },
  };
}

/** A service process's UsageLimiter as ServiceParts builds it for `serve --workers`: counters and slots both the primary's. */
export function primaryLimiter(channel: PrimaryChannel, options: { now?: () => number; answerTimeoutMs?: number } = {}): UsageLimiter {
  const machine = new MachineStateClient(channel, options.answerTimeoutMs);
  return new UsageLimiter({ machine, slots: machine.slots(), ...(options.now ? { now: options.now } : {}) });
}
