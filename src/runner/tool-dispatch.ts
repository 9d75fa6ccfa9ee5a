import { ERRORS, isErrorCode, RuntimeError } from "../errors.js";
import { redactPaths } from "../redact-host-paths.js";
import { toolArgsShapeRefusal, type ToolReply, type ToolRequest } from "./protocol.js";
import type { Lane } from "./scheduler.js";
import { JsonText } from "./json-text.js";

/** What a tool handler learns about the invocation that called it. */
export interface ToolCallContext {
  folder: string;
  file: string;
  funcName: string;
  context: unknown;
  /** The `meta` the platform passed with the call: host data for its tools, never seen by the sandbox. */
  meta?: unknown;
}

export type ToolHandler = (name: string, args: unknown, ctx: ToolCallContext) => unknown | Promise<unknown>;

/** The longest tool error message that goes back to the tenant. */
const MAX_TOOL_MESSAGE = 2048;

/** Layer 5: absolute file paths of the host never reach the tenant in a tool's error message. */
export function redactHostPaths(message: string): string {
  // Also after ":" and "//" (config:/abs, file:/x, //x); bounded before it is scanned, in linear time.
  return redactPaths(message, MAX_TOOL_MESSAGE);
}

/** What goes back for one tool call: ok, the JSON payload or the message, the error code. */
type Answer = [ok: boolean, payload: string, code: string];

interface Caller {
  ctx: ToolCallContext;
  /** The invocation's lane, once it runs: parked while any of its tool calls is out (scheduler.ts). */
  lane?: Lane;
  pending: number;
  /** While parked: the look at its worker's CPU time (parkWatch). */
  watch?: NodeJS.Timeout;
  /** Seen using the CPU while parked: its tool calls park it no more. */
  busy?: boolean;
}

/**
 * How often a parked call's worker is looked at, and how much of a core it may use meanwhile. A call that waits
 * on its tool uses none; one that goes on working (its tool call not awaited, a loop after it) was counted
 * against no limit, so a tenant allowed one call at a time ran three CPU-bound calls at once on 2 cores (red team
 * dec11). Past this share of the time since it parked, the call counts as running again (Lane.reclaim) and parks no more.
 */
const PARK_CPU_CHECK_MS = 50;
const PARK_CPU_SHARE = 0.25;
/**
 * A tenant (folder) one of whose calls was seen working while parked has its calls park no more for this long:
 * calls admitted in the first look's window, a burst of them, are not admitted again the same way.
 */
const BUSY_TENANT_MS = 60_000;
/** Tenants remembered as busy at most (the map is emptied past it: an attacker's folders cannot grow it). */
const MAX_BUSY_TENANTS = 4096;

/**
 * The runtime's end of tool calls: the invocations that may call tools now (with what their handler is
 * told about each), the platform's handler, and what goes back. A tool call reaches here from the realm
 * through bridge.ts (op "tool") and the worker hop in protocol.ts (ToolRequest); the reply goes back the
 * same way as JSON text or a message, never a host object (DESIGN.md invariant 1).
 */
export class ToolDispatch {
  private readonly inFlight = new Map<number, Caller>();
  /** Tenants (folders) whose calls park no more, until when (performance.now()). */
  private readonly busyTenants = new Map<string, number>();

  constructor(private readonly handler: ToolHandler | undefined) {}

  /** Whether invocations may call tools at all (the worker refuses every call when not). */
  get available(): boolean {
    return this.handler !== undefined;
  }

  /** The invocation may call tools from now until end(); its handler is told `ctx`. */
  begin(invocationId: number, ctx: ToolCallContext): void {
    this.inFlight.set(invocationId, { ctx, pending: 0 });
  }

  /** The invocation started on `lane`: its tool calls park it from now on. */
  running(invocationId: number, lane: Lane): void {
    const caller = this.inFlight.get(invocationId);
    if (caller) caller.lane = lane;
  }

  end(invocationId: number): void {
    const caller = this.inFlight.get(invocationId);
    if (caller) clearInterval(caller.watch);
    this.inFlight.delete(invocationId);
  }

  /**
   * Answers one tool call. Never rejects: every failure is a reply. `cpuMs`, where the pool can tell, is the
   * calling worker's CPU time: looked at while the call is parked.
   */
  async handle(request: ToolRequest, reply: (message: ToolReply) => void, cpuMs?: () => number | undefined): Promise<void> {
    const { invocationId, callId } = request;
    const respond = (ok: boolean, payload: string, code = "") => reply({ invocationId, callId, ok, payload, code });
    const caller = this.inFlight.get(invocationId);
    const handler = this.handler;
    if (!caller || !handler) return respond(false, "no tools are available to this invocation (the platform gives modules tools with the runtime's toolHandler option)", "TOOL_ERROR");
    if (caller.pending++ === 0 && !caller.busy && caller.lane && !this.tenantBusy(caller.ctx.folder)) {
      caller.lane.park();
      if (cpuMs) this.parkWatch(caller, caller.lane, cpuMs);
    }
    const answer = await this.answer(request, handler, caller.ctx);
    caller.pending--;
    // The call takes its core back before the answer lets it go on (scheduler.ts): it may wait for one.
    await caller.lane?.resume();
    clearInterval(caller.watch);
    caller.watch = undefined;
    respond(...answer);
  }

  private tenantBusy(folder: string): boolean {
    const until = this.busyTenants.get(folder);
    if (until === undefined) return false;
    if (performance.now() < until) return true;
    this.busyTenants.delete(folder);
    return false;
  }

  /**
   * Looks at a parked call's worker every PARK_CPU_CHECK_MS: working past PARK_CPU_SHARE of a core since the
   * first look, it is running. The first look is a tick after the park, not in it (nothing more on the tool
   * call's own path than a timer).
   */
  private parkWatch(caller: Caller, lane: Lane, cpuMs: () => number | undefined): void {
    if (caller.watch) return;
    // Since the first look: a worker that shares a loaded machine's cores gets less than a core while it spins.
    let first: { cpuMs: number; at: number } | undefined;
    caller.watch = setInterval(() => {
      const now = performance.now();
      const used = cpuMs();
      if (used === undefined) return;
      if (!first) {
        first = { cpuMs: used, at: now };
        return;
      }
      if (used - first.cpuMs > PARK_CPU_SHARE * (now - first.at)) {
        caller.busy = true;
        if (this.busyTenants.size >= MAX_BUSY_TENANTS) this.busyTenants.clear();
        this.busyTenants.set(caller.ctx.folder, now + BUSY_TENANT_MS);
        clearInterval(caller.watch);
        caller.watch = undefined;
        lane.reclaim();
      }
    }, PARK_CPU_CHECK_MS);
    caller.watch.unref();
  }

  /** Never rejects: every failure is an answer. */
  private async answer(request: ToolRequest, handler: ToolHandler, ctx: ToolCallContext): Promise<Answer> {
    const respond = (ok: boolean, payload: string, code = ""): Answer => [ok, payload, code];
    // The arguments are tenant text parsed on the host's main thread: their nesting and number of values are
    // checked first, in one linear pass (the sandbox process checked them too, but it is not trusted).
    const shape = toolArgsShapeRefusal(request.args);
    if (shape !== undefined) return respond(false, shape, "TOOL_ERROR");
    try {
      const args = request.args === "" ? undefined : JSON.parse(request.args);
      const value = await handler(request.name, args, ctx);
      if (value instanceof JsonText) return respond(true, value.text);
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch {
        return respond(false, `tool "${request.name}" returned a value that is not JSON-serializable`, "TOOL_ERROR");
      }
      return respond(true, json === undefined ? "" : json);
    } catch (error) {
      // Only the message crosses, with host paths blanked: never the host error object, its stack or its
      // prototype. The code is TOOL_ERROR unless the handler refused the call on policy grounds
      // (`toolRefusal` in the error table): a handler cannot make a call end as TIMEOUT or anything else.
      const message = redactHostPaths(error instanceof Error ? error.message : String(error));
      const code = error instanceof RuntimeError && isErrorCode(error.code) && ERRORS[error.code].toolRefusal ? error.code : "TOOL_ERROR";
      return respond(false, message, code);
    }
  }
}
