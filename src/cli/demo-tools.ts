import type { ToolHandler } from "../index.js";

const CRM: Record<string, { id: string; name: string; tier: string }> = {
  "ada@globex.example": { id: "crm-1001", name: "Ada Lovelace", tier: "gold" },
  "grace@globex.example": { id: "crm-1002", name: "Grace Hopper", tier: "silver" },
};

/**
 * A stand-in for a host's real tools, used by `tenantbox demo` and `tenantbox run --demo-tools`.
 * Tools run in the host: only JSON goes in and out, and a thrown error reaches the tenant as TOOL_ERROR.
 */
export const demoToolHandler: ToolHandler = async (name, args) => {
  if (name === "crm:lookup") return crmLookup(args);
  throw new Error(`unknown tool "${name}" (the demo knows crm:lookup)`);
};

/** The demo CRM's one tool: `crm:lookup { email }` (also what `tenantbox serve --demo-tools` registers). */
export function crmLookup(args: unknown): { found: boolean; id?: string; name?: string; tier?: string } {
  const email = (args as { email?: unknown } | null)?.email;
  if (typeof email !== "string") throw new Error("crm:lookup needs { email: string }");
  const record = Object.hasOwn(CRM, email.toLowerCase()) ? CRM[email.toLowerCase()] : undefined;
  return record ? { found: true, ...record } : { found: false };
}
