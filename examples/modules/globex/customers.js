// ES module in a .js file (detected by parsing): syncs a customer through a host tool.
import transform from "./rules.mjs";

export async function syncCustomer(record) {
  const customer = transform(record);
  const existing = await callTool("crm:lookup", { email: customer.email });
  if (existing && existing.found) {
    console.info(`customer ${customer.email} exists as ${existing.id}`);
    const changed = existing.tier !== customer.tier;
    return { action: changed ? "update" : "none", id: existing.id, tier: customer.tier, previousTier: existing.tier };
  }
  console.info(`customer ${customer.email} is new`);
  return { action: "create", customer, requestedBy: context?.userId ?? null };
}
