import { describe, expect, it } from "vitest";
import { Admission } from "../src/service/admission.js";
import type { TenantConfig } from "../src/service/config.js";
import { MachineStateClient } from "../src/service/machine-state-client.js";
import { MachineState } from "../src/service/machine-state.js";
import { ServiceError } from "../src/service/service-error.js";
import { TIER_QUOTAS } from "../src/service/tiers.js";
import { UsageLimiter } from "../src/service/usage-limiter.js";
import { channelTo } from "./machine-state-helpers.js";

// Admission asks for a tenant's slots and its day's executions at once; whichever is refused gives the
// other back before the refusal is answered. In one process's memory, and through the primary of
// serve --workers (where both go to the primary in one message).

const tenant: TenantConfig = {
  id: "acme",
  tier: "free",
  permissions: [],
  tools: {},
  quotas: { ...TIER_QUOTAS.free, maxExecutionsPerDay: 2, maxConcurrentExecutions: 1 },
};

const limiters: { name: string; make: () => UsageLimiter }[] = [
  { name: "one process", make: () => new UsageLimiter() },
  {
    name: "the primary of serve --workers",
    make: () => {
      const machine = new MachineStateClient(channelTo(new MachineState(), 1));
      return new UsageLimiter({ machine, slots: machine.slots() });
    },
  },
];

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return (error as ServiceError).code;
  }
  throw new Error("expected a refusal");
}

describe.each(limiters)("Admission ($name)", ({ make }) => {
  it("a call refused for its slot spends none of the day's executions; one refused for the quota holds no slot", async () => {
    const limiter = make();
    const admission = new Admission(limiter);
    let release!: () => void;
    const holding = admission.admit(tenant, 1, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await refusal(admission.admit(tenant, 1, async () => "ran"))).toBe("TOO_MANY_CONCURRENT");
    expect((await limiter.usage("acme", tenant.quotas)).executions.used).toBe(1);
    release();
    await holding;
    expect(await admission.admit(tenant, 1, async () => "ran")).toBe("ran");
    // The day's two are spent: refused, and the slot it took meanwhile is free again.
    expect(await refusal(admission.admit(tenant, 1, async () => "ran"))).toBe("QUOTA_EXCEEDED");
    expect(await limiter.usage("acme", tenant.quotas)).toMatchObject({ executions: { used: 2 }, concurrent: { active: 0 } });
  });
});
