import { CompileCache } from "./compile-cache.js";
import { assertDynamicImportRefusable } from "./dynamic-import.js";
import { Invocation, type ToolSender } from "./invocation.js";
import type { InvocationOutcome, InvocationTask, ToolReply } from "./protocol.js";
import { RealmPool } from "./realm-pool.js";

/**
 * Invocations one realm serves before it is retired anyway (hygiene: nothing unseen piles up; memory that
 * does is caught sooner by the heap check in realm-pool.ts). A new realm costs more than its creation: its
 * code starts cold again. At 1,000 uses, small hooks back to back spent 66-82 us of sandbox CPU per call,
 * at 10,000 57-62 (alternated runs, one sandbox process).
 */
const MAX_REALM_USES = 10_000;

export interface InvocationHostSettings {
  readyContexts: number;
  stopFlags: Int32Array;
  sendTool: ToolSender;
}

/** What runs invocations in one thread: its realms, its compiled scripts, its invocations in flight. */
export function createInvocationHost(settings: InvocationHostSettings) {
  assertDynamicImportRefusable(process.execArgv);
  const realms = new RealmPool(settings.readyContexts, settings.stopFlags, MAX_REALM_USES);
  const compiled = new CompileCache();
  const active = new Map<number, Invocation>();
  return {
    async run(task: InvocationTask): Promise<InvocationOutcome> {
      const invocation = new Invocation(task, realms.take(), compiled, settings.sendTool, (realm, clean) => realms.release(realm, clean));
      active.set(task.invocationId, invocation);
      try {
        return await invocation.run();
      } finally {
        active.delete(task.invocationId);
      }
    },
    /** Whether a module version is compiled here (its source need not cross again). */
    holds(hash: string): boolean {
      return compiled.touch(hash);
    },
    /** Source bytes of the compiled scripts kept here: memory that is the runtime's, not a tenant's. */
    cachedBytes(): number {
      return compiled.cachedBytes;
    },
    toolReply(reply: ToolReply): void {
      active.get(reply.invocationId)?.toolReply(reply);
    },
    /** Ends an invocation its caller cancelled (nothing when it has ended already). */
    cancel(invocationId: number): void {
      active.get(invocationId)?.cancel();
    },
  };
}
