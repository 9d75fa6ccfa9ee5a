// Types only: stripping them leaves an empty module, and the importers' `import type` lines vanish too.
export interface LineItem {
  sku: string;
  price: number;
  qty: number;
}

export interface Invoice {
  id: string;
  customer: string;
  items: LineItem[];
}

export type Severity = "info" | "warning" | "error";

export interface Finding {
  severity: Severity;
  message: string;
}
