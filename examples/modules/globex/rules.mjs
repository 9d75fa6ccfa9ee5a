// ES module: named exports, a default export, a relative import and a JSON import.
import tiers from "./data/tiers.json";
import { normalizeEmail, titleCase } from "./lib/normalize.mjs";

export function tierFor(totalSpend) {
  return tiers.find((tier) => totalSpend >= tier.minSpend) ?? tiers[tiers.length - 1];
}

// Transform a raw signup record into the shape the CRM expects.
export default function transform(record) {
  const tier = tierFor(record.totalSpend ?? 0);
  return {
    email: normalizeEmail(record.email),
    name: titleCase(record.name ?? ""),
    tier: tier.name,
    discountPercent: tier.discountPercent,
    tags: [...new Set((record.tags ?? []).map((tag) => tag.toLowerCase()))].sort(),
  };
}
