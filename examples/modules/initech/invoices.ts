import type { Finding, Invoice, LineItem } from "./types.ts";
import { roundCents } from "./money.ts";

const MAX_LINE_TOTAL = 10_000;

/** Checks an invoice before it is sent: the hook's findings, and the total it computed. */
export function reviewInvoice(invoice: Invoice): { total: number; findings: Finding[] } {
  const findings: Finding[] = [];
  if (invoice.items.length === 0) findings.push({ severity: "error", message: "the invoice has no items" });
  let total = 0;
  for (const item of invoice.items) {
    const line = lineTotal(item);
    if (line > MAX_LINE_TOTAL) findings.push({ severity: "warning", message: `${item.sku}: ${line} is above ${MAX_LINE_TOTAL}` });
    total += line;
  }
  return { total: roundCents(total), findings };
}

function lineTotal(item: LineItem): number {
  if (!(item.qty > 0)) throw new RangeError(`${item.sku}: quantity must be positive`);
  return item.price * item.qty;
}
