import { RateLimiterRes } from "rate-limiter-flexible";
import type { ConcurrencySlots } from "./concurrency-slots.js";
import {
  MACHINE_STATE_ANSWER,
  MACHINE_STATE_REQUEST,
  MAX_OPS_PER_REQUEST,
  type CounterMethod,
  type CounterState,
  type MachineAnswer,
  type MachineOp,
  type MachineReply,
} from "./machine-state.js";

/** Far above any answer of a live primary (a map lookup), well below a client's patience. */
const ANSWER_TIMEOUT_MS = 5000;

/** How this process reaches the primary: `process` in a cluster worker (its IPC channel). */
export interface PrimaryChannel {
  send(message: unknown, callback: (error: Error | null) => void): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

interface Waiting {
  op: MachineOp;
  resolve: (answer: MachineAnswer) => void;
  reject: (error: Error) => void;
  /** When the op fails if still unanswered: its timeout counts from when it was asked, not sent. */
  deadline: number;
}

/**
 * A service process's side of the machine state (machine-state.ts): its ops go to the primary in batches,
 * one batch in flight at a time (what is asked meanwhile goes in the next), and each comes back as one
 * answer: the busier the primary, the larger the batches, so it is not swamped with messages. No answer
 * within 5 s, or no channel: the ops fail, and the service refuses the requests with 503 instead of
 * running them uncounted.
 */
export class MachineStateClient {
  private queue: Waiting[] = [];
  /** The one batch sent and not yet answered. */
  private inFlight: { batch: number; waiting: Waiting[]; timer: NodeJS.Timeout } | undefined;
  /**
   * Batches given up on (no answer in time) that the primary may still apply: what a late answer took
   * (slots, counts) is given back. Bounded: the oldest are forgotten first.
   */
  private readonly late = new Map<number, MachineOp[]>();
  private nextBatch = 0;
  private flushing = false;

  constructor(
    private readonly channel: PrimaryChannel = process as unknown as PrimaryChannel,
    private readonly answerTimeoutMs = ANSWER_TIMEOUT_MS,
  ) {
    if (typeof channel.send !== "function") throw new TypeError("tenantbox: the machine's shared state needs a primary process (serve --workers); this process has no IPC channel");
    channel.on("message", (message) => {
      const reply = message as Partial<MachineReply> | null;
      if (reply?.type === MACHINE_STATE_ANSWER && typeof reply.batch === "number") this.settle(reply.batch, reply.answers);
    });
  }

  /** One op's answer. */
  ask(op: MachineOp): Promise<MachineAnswer> {
    return new Promise<MachineAnswer>((resolve, reject) => {
      this.queue.push({ op, resolve, reject, deadline: Date.now() + this.answerTimeoutMs });
      this.schedule();
    });
  }

  /**
   * One batch in flight at a time, as a group commit: what is asked while the primary answers the last
   * batch goes in the next one. Measured with two service processes: about one batch per request when
   * every turn sent its own, each costing the primary some 50 us of IPC.
   */
  private schedule(): void {
    if (this.flushing || this.inFlight || this.queue.length === 0) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /** A counter that behaves as rate-limiter-flexible's (the subset UsageLimiter uses), kept by the primary. */
  counter(name: string, points: number, duration: number): PrimaryCounter {
    return new PrimaryCounter(this, name, points, duration);
  }

  slots(): ConcurrencySlots {
    return new PrimarySlots(this);
  }

  private flush(): void {
    this.flushing = false;
    if (this.inFlight) return;
    // Ops that waited their whole timeout behind a batch the primary did not answer fail now, unsent
    // (nothing to give back later). The queue is in asking order, so they are at its head.
    const now = Date.now();
    let expired = 0;
    while (expired < this.queue.length && this.queue[expired]!.deadline <= now) expired++;
    if (expired > 0) {
      const error = new Error("the primary process did not answer");
      for (const w of this.queue.splice(0, expired)) w.reject(error);
    }
    if (this.queue.length === 0) return;
    // The primary ignores a request of more ops than it takes: the rest goes next.
    this.send(this.queue.splice(0, MAX_OPS_PER_REQUEST));
  }

  private send(waiting: Waiting[]): void {
    const batch = this.nextBatch++;
    const fail = (error: Error, late: boolean) => {
      if (this.inFlight?.batch !== batch) return;
      clearTimeout(this.inFlight.timer);
      this.inFlight = undefined;
      if (late) {
        this.late.set(batch, waiting.map((w) => w.op));
        if (this.late.size > MAX_LATE_BATCHES) this.late.delete(this.late.keys().next().value!);
      }
      for (const w of waiting) w.reject(error);
      this.schedule();
    };
    // One more turn before giving up: after a busy main thread the timer runs before the answer already
    // waiting in the channel is read (timers come before the poll phase of the next turn).
    // The batch's oldest op sets its timeout: an op that waited behind a batch in flight waits no longer in all.
    const wait = Math.max(0, waiting[0]!.deadline - Date.now());
    const timer = setTimeout(() => setImmediate(() => fail(new Error("the primary process did not answer"), true)), wait);
    timer.unref();
    this.inFlight = { batch, waiting, timer };
    try {
      this.channel.send({ type: MACHINE_STATE_REQUEST, batch, ops: waiting.map((w) => w.op) }, (error) => {
        if (error) fail(error, false);
      });
    } catch (error) {
      fail(error as Error, false);
    }
  }

  private settle(batch: number, answers: MachineAnswer[] | undefined): void {
    const entry = this.inFlight;
    if (entry?.batch !== batch) {
      this.giveBackLate(batch, answers);
      return;
    }
    clearTimeout(entry.timer);
    this.inFlight = undefined;
    entry.waiting.forEach((w, i) => {
      const answer = answers?.[i];
      if (answer) w.resolve(answer);
      else w.reject(new Error("the primary process gave no answer for an op"));
    });
    this.schedule();
  }

  /**
   * A batch its callers were told had failed was applied after all: the slots it took go back, and so do
   * the counts it consumed (a request answered 503 must not spend the tenant's quota or rate).
   */
  private giveBackLate(batch: number, answers: MachineAnswer[] | undefined): void {
    const ops = this.late.get(batch);
    if (!ops) return;
    this.late.delete(batch);
    ops.forEach((op, i) => {
      const answer = answers?.[i];
      if (op.op === "acquire" && answer?.ok && typeof answer.value === "number" && answer.value > 0) {
        this.ask({ op: "release", tenant: op.tenant, count: answer.value }).catch(() => {});
      }
      if (op.op === "counter" && op.method === "consume" && (answer?.ok || answer?.refused)) {
        this.ask({ ...op, method: "reward" }).catch(() => {});
      }
    });
  }
}

/** Timed-out batches remembered for their late answers. */
const MAX_LATE_BATCHES = 1000;

/** The value of an answer, or the failure it names. */
async function valueOf(answer: Promise<MachineAnswer>): Promise<number | CounterState | null> {
  const a = await answer;
  if (a.ok) return a.value;
  if (a.refused) throw asRes(a.refused);
  throw new Error(`the machine state refused an op: ${a.error}`);
}

const asRes = (s: CounterState) => new RateLimiterRes(s.remainingPoints, s.msBeforeNext, s.consumedPoints, s.isFirstInDuration);

/** rate-limiter-flexible's counter methods as UsageLimiter calls them, answered by the primary. */
export class PrimaryCounter {
  constructor(
    private readonly client: MachineStateClient,
    private readonly name: string,
    private readonly points: number,
    private readonly duration: number,
  ) {}

  consume(key: string, count = 1, options: { customDuration?: number } = {}): Promise<RateLimiterRes> {
    return this.call("consume", key, count, options.customDuration) as Promise<RateLimiterRes>;
  }

  penalty(key: string, count = 1, options: { customDuration?: number } = {}): Promise<RateLimiterRes> {
    return this.call("penalty", key, count, options.customDuration) as Promise<RateLimiterRes>;
  }

  reward(key: string, count = 1, options: { customDuration?: number } = {}): Promise<RateLimiterRes> {
    return this.call("reward", key, count, options.customDuration) as Promise<RateLimiterRes>;
  }

  get(key: string): Promise<RateLimiterRes | null> {
    return this.call("get", key, 0);
  }

  set(key: string, count: number, secDuration: number): Promise<RateLimiterRes> {
    return this.call("set", key, count, secDuration) as Promise<RateLimiterRes>;
  }

  /** Sets the count only where the primary has none yet: one step, whichever process asks first. */
  setIfAbsent(key: string, count: number, secDuration: number): Promise<RateLimiterRes> {
    return this.call("setIfAbsent", key, count, secDuration) as Promise<RateLimiterRes>;
  }

  private async call(method: CounterMethod, key: string, count: number, secDuration?: number): Promise<RateLimiterRes | null> {
    const op: MachineOp = { op: "counter", name: this.name, points: this.points, duration: this.duration, method, key, count };
    if (secDuration !== undefined) op.secDuration = secDuration;
    const value = await valueOf(this.client.ask(op));
    return value === null ? null : asRes(value as CounterState);
  }
}

/** Concurrency slots counted by the primary; a process that dies gives its slots back at once. */
class PrimarySlots implements ConcurrencySlots {
  constructor(private readonly client: MachineStateClient) {}

  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    return (await valueOf(this.client.ask({ op: "acquire", tenant, max, wanted }))) as number;
  }

  /**
   * Waited for (one op of the turn's batch): the slot must be free before the answer leaves, or a client
   * that sends its next call on another connection (another process) is refused TOO_MANY_CONCURRENT.
   */
  async release(tenant: string, count: number): Promise<void> {
    await valueOf(this.client.ask({ op: "release", tenant, count }));
  }

  async active(tenant: string): Promise<number> {
    return (await valueOf(this.client.ask({ op: "active", tenant }))) as number;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}
}
