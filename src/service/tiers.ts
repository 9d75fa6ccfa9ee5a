/** What one tenant may use; every field is enforced by the service. */
export interface Quotas {
  maxExecutionsPerDay: number;
  maxExecutionDurationMs: number;
  maxConcurrentExecutions: number;
  maxToolCallsPerExecution: number;
  maxToolCallsPerDay: number;
  maxMemoryMB: number;
  maxCodeSizeKB: number;
  maxOutputSizeKB: number;
  /** What the tenant's documents (data tools) may take in all, as stored JSON. */
  maxStoredDataMB: number;
  /** Attempts a queued event's handler gets (the first included) before it becomes a dead letter. */
  maxDeliveryAttempts: number;
  /** Schedules of the tenant's manifest that run (the first ones, in manifest order). */
  maxSchedules: number;
  /** Queued events' handler jobs not yet finished (waiting, retrying or running): a backlog past it refuses new events. */
  maxQueuedEvents: number;
}

export const TIER_NAMES = ["free", "starter", "enterprise"] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** The tiers' defaults; the config file may override any field per tier or per tenant. */
export const TIER_QUOTAS: Readonly<Record<TierName, Readonly<Quotas>>> = {
  free: {
    maxExecutionsPerDay: 100,
    maxExecutionDurationMs: 5_000,
    maxConcurrentExecutions: 1,
    maxToolCallsPerExecution: 10,
    maxToolCallsPerDay: 500,
    maxMemoryMB: 32,
    maxCodeSizeKB: 50,
    maxOutputSizeKB: 100,
    maxStoredDataMB: 10,
    maxDeliveryAttempts: 1,
    maxSchedules: 2,
    maxQueuedEvents: 10_000,
  },
  starter: {
    maxExecutionsPerDay: 1_000,
    maxExecutionDurationMs: 30_000,
    maxConcurrentExecutions: 5,
    maxToolCallsPerExecution: 50,
    maxToolCallsPerDay: 10_000,
    maxMemoryMB: 64,
    maxCodeSizeKB: 100,
    maxOutputSizeKB: 500,
    maxStoredDataMB: 100,
    maxDeliveryAttempts: 3,
    maxSchedules: 10,
    maxQueuedEvents: 100_000,
  },
  enterprise: {
    maxExecutionsPerDay: 100_000,
    maxExecutionDurationMs: 300_000,
    maxConcurrentExecutions: 100,
    maxToolCallsPerExecution: 500,
    maxToolCallsPerDay: 1_000_000,
    maxMemoryMB: 256,
    maxCodeSizeKB: 500,
    maxOutputSizeKB: 5_000,
    maxStoredDataMB: 10_000,
    maxDeliveryAttempts: 5,
    maxSchedules: 50,
    maxQueuedEvents: 200_000,
  },
};
