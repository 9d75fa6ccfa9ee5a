import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { MemorySlots } from "./concurrency-slots.js";

/**
 * What the service processes of one machine (`serve --workers`) share without Redis: quota counters, rate
 * limits and concurrency slots, held in the memory of the cluster's primary process and asked for over the
 * cluster's IPC channel (machine-state-client.ts). Before, they lived in a SQLite file every process wrote:
 * three write transactions per request, with the file's lock waited for on each process's main thread;
 * measured with two processes, about 40% of their main threads' time.
 *
 * Counters are rate-limiter-flexible's memory limiters, so they behave as in a single process. Slots are
 * counted per holder (a service process): when a process dies, the primary drops its slots at once.
 */

export const MACHINE_STATE_REQUEST = "tenantbox:machine-state";
export const MACHINE_STATE_ANSWER = "tenantbox:machine-state-answer";

/** The counter methods a service process may call; `setIfAbsent` restores a day's count only once. */
export type CounterMethod = "consume" | "penalty" | "reward" | "get" | "set" | "setIfAbsent";

export type MachineOp =
  | { op: "counter"; name: string; points: number; duration: number; method: CounterMethod; key: string; count: number; secDuration?: number }
  | { op: "acquire"; tenant: string; max: number; wanted: number }
  | { op: "release"; tenant: string; count: number }
  | { op: "active"; tenant: string };

/** A counter's state as plain data (RateLimiterRes is a class: it does not cross the channel). */
export interface CounterState {
  remainingPoints: number;
  msBeforeNext: number;
  consumedPoints: number;
  isFirstInDuration: boolean;
}

export type MachineAnswer =
  | { ok: true; value: number | CounterState | null }
  /** `refused`: a counter over its points (a rate limit); `error`: the request itself was wrong. */
  | { ok: false; refused?: CounterState; error?: string };

export interface MachineRequest {
  type: typeof MACHINE_STATE_REQUEST;
  batch: number;
  ops: MachineOp[];
}

export interface MachineReply {
  type: typeof MACHINE_STATE_ANSWER;
  batch: number;
  answers: MachineAnswer[];
}

/** At most this many ops in one request: a broken process cannot make the primary loop for long. */
export const MAX_OPS_PER_REQUEST = 10_000;

export function isMachineRequest(message: unknown): message is MachineRequest {
  const m = message as Partial<MachineRequest> | null;
  return m?.type === MACHINE_STATE_REQUEST && typeof m.batch === "number" && Array.isArray(m.ops) && m.ops.length <= MAX_OPS_PER_REQUEST;
}

const plain = (res: RateLimiterRes): CounterState => ({
  remainingPoints: res.remainingPoints,
  msBeforeNext: res.msBeforeNext,
  consumedPoints: res.consumedPoints,
  isFirstInDuration: res.isFirstInDuration,
});

const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : Number.NaN);

export class MachineState {
  private readonly counters = new Map<string, RateLimiterMemory>();
  /** Each service process's slots (holder: its cluster worker id). */
  private readonly slots = new MemorySlots();

  /** The request being answered: the next one starts when it is done (see answer). */
  private answering: Promise<unknown> = Promise.resolve();

  /**
   * Answers one request of the service process `holder`, op by op in order, one request after the other.
   * Node's IPC channel emits the messages of one read in consecutive process.nextTick callbacks, so without
   * the chain two batches of one process would interleave op by op at each await (a release sent first
   * applied after a later acquire; a setIfAbsent's look and write apart).
   */
  answer(holder: number, request: MachineRequest): Promise<MachineReply> {
    const reply = this.answering.then(() => this.answerNow(holder, request));
    this.answering = reply.catch(() => undefined);
    return reply;
  }

  private async answerNow(holder: number, request: MachineRequest): Promise<MachineReply> {
    const answers: MachineAnswer[] = [];
    for (const op of request.ops) {
      try {
        answers.push(await this.apply(holder, op));
      } catch (error) {
        answers.push(error instanceof RateLimiterRes ? { ok: false, refused: plain(error) } : { ok: false, error: String((error as Error)?.message ?? error) });
      }
    }
    return { type: MACHINE_STATE_ANSWER, batch: request.batch, answers };
  }

  /** A service process ended: its slots come back now (its counts stay: what it ran was spent). */
  dropHolder(holder: number): void {
    this.slots.drop(holder);
  }

  active(tenant: string): number {
    return this.slots.count(tenant);
  }

  private async apply(holder: number, op: MachineOp): Promise<MachineAnswer> {
    switch (op?.op) {
      case "acquire": {
        const max = count(op.max);
        const wanted = Math.max(1, Math.floor(count(op.wanted)));
        if (typeof op.tenant !== "string" || Number.isNaN(max) || Number.isNaN(wanted)) throw new TypeError("a malformed acquire");
        return { ok: true, value: this.slots.take(holder, op.tenant, max, wanted) };
      }
      case "release":
        this.slots.give(holder, op.tenant, Math.max(0, count(op.count) || 0));
        return { ok: true, value: null };
      case "active":
        return { ok: true, value: this.slots.count(op.tenant) };
      case "counter":
        return { ok: true, value: await this.counter(op) };
      default:
        throw new TypeError("an unknown op");
    }
  }

  private async counter(op: Extract<MachineOp, { op: "counter" }>): Promise<CounterState | null> {
    const points = count(op.points);
    const duration = count(op.duration);
    const n = count(op.count);
    if (typeof op.name !== "string" || typeof op.key !== "string" || Number.isNaN(points) || Number.isNaN(duration) || Number.isNaN(n)) {
      throw new TypeError("a malformed counter op");
    }
    const id = `${op.name}\0${points}\0${duration}`;
    let limiter = this.counters.get(id);
    if (!limiter) this.counters.set(id, (limiter = new RateLimiterMemory({ keyPrefix: op.name, points, duration })));
    const options = op.secDuration !== undefined ? { customDuration: count(op.secDuration) } : {};
    switch (op.method) {
      case "consume":
        return plain(await limiter.consume(op.key, n, options));
      case "penalty":
        return plain(await limiter.penalty(op.key, n, options));
      case "reward":
        return plain(await limiter.reward(op.key, n, options));
      case "get": {
        const res = await limiter.get(op.key);
        return res === null ? null : plain(res);
      }
      case "set":
        return plain(await limiter.set(op.key, n, count(op.secDuration ?? 0)));
      case "setIfAbsent": {
        // One step: nothing else runs in the primary between the look and the write.
        const res = await limiter.get(op.key);
        return plain(res ?? (await limiter.set(op.key, n, count(op.secDuration ?? 0))));
      }
      default:
        throw new TypeError("an unknown counter method");
    }
  }
}
