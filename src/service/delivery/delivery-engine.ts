import type { JsonText } from "../../runner/json-text.js";
import type { DeadLetter, DeliveryView, JobState, TakenJob } from "./delivery-store.js";
import type { QueueTick, TenantSchedules } from "./schedule-ticker.js";

/**
 * What running one attempt came to: it ran (with its result; the value as its JSON text, never parsed on the
 * host), or it could not start and waits until `until`.
 */
export type AttemptOutcome =
  | { ran: true; success: boolean; value?: JsonText; error?: { code: string; message: string }; durationMs: number }
  | { ran: false; until: number };

/** GET /v1/events/jobs/:id: the delivery's state (from its handlers'), attempts and each handler's last result. */
export interface DeliveryReport extends DeliveryView {
  state: JobState;
  attempts: number;
}

/** An event's answer; for one stored earlier under an Idempotency-Key, its request's fingerprint (when known). */
export interface KeyedAnswer {
  id: string;
  event: string;
  handlers: number;
  fingerprint?: string;
}

export interface NewEvent {
  tenant: string;
  event: string;
  payload: unknown;
  context: unknown;
  user: string | null;
  permissions: string[] | null;
  idempotencyKey: string | null;
  /**
   * With an API request's Idempotency-Key: requestFingerprint(event, payload, context), kept with the key (an
   * engine that keeps no request to derive it from) so that a key reused for another request is told apart.
   */
  fingerprint?: string;
  source: "api" | "schedule";
  handlers: { file: string; funcName: string }[];
  maxAttempts: number;
}

/**
 * Where queued events wait and how their attempts are run: the embedded engine (the service's SQLite file,
 * one node) or BullMQ (Redis, every node). The same API and the same guarantees toward the tenant: at
 * least once, each handler retried alone, dead letters kept 7 days.
 */
export interface DeliveryEngine {
  readonly name: "embedded" | "bullmq";
  /**
   * Stores the event's handler jobs; with an Idempotency-Key the tenant used within 24 h, the first delivery
   * (nothing new is queued) and its request's fingerprint.
   */
  enqueue(input: NewEvent): Promise<KeyedAnswer & { duplicate: boolean }>;
  report(tenant: string, id: string): Promise<DeliveryReport | undefined>;
  deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]>;
  /** The answer an Idempotency-Key of the tenant already has (an event stored under it within 24 h), if any. */
  keyed(tenant: string, key: string): Promise<KeyedAnswer | undefined>;
  /** The tenant's handler jobs not yet finished (waiting, delayed for a retry, or running); a store may stop counting at `atMost`. */
  backlog(tenant: string, atMost: number): Promise<number>;
  /** Queues a delivery's dead letters again, each with fresh attempts; how many (undefined: the tenant has no such delivery). */
  retry(tenant: string, id: string): Promise<number | undefined>;
  counts(): Promise<{ states: Record<JobState, number>; oldestWaitingMs: number }>;
  /**
   * What a round of the schedule ticker read from the manifests: the embedded engine queues each
   * schedule's recent tick itself; BullMQ keeps a job scheduler per schedule. `queueTick` queues one tick.
   */
  keepSchedules(read: TenantSchedules[], queueTick: QueueTick): Promise<void>;
  /** Starts running attempts: `run` runs one. */
  start(run: (job: TakenJob) => Promise<AttemptOutcome>): Promise<void>;
  /** Stops taking jobs and waits for the attempts in flight. */
  close(): Promise<void>;
}

/** A delivery's state from its handlers': running while any runs, queued while any waits, failed if any failed, else succeeded. */
export function overallState(handlers: readonly { state: JobState }[]): JobState {
  const states = new Set(handlers.map((h) => h.state));
  if (states.has("running")) return "running";
  if (states.has("queued")) return "queued";
  if (states.has("failed")) return "failed";
  return "succeeded";
}
