// Engine 1b: tenantbox with its worker pool in the host process (isolation: "thread"), to show what
// the sandbox process costs. Absent from runtimes that predate the option.
import { create as createTenantbox } from "./tenantbox.mjs";

export async function create({ threads }) {
  return createTenantbox({ threads, runtimeOptions: { isolation: "thread" }, name: "tenantbox-thread" });
}
