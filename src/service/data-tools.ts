import { JsonText } from "../runner/json-text.js";
import { DataError, type DocumentStore, type Filter, type Selector } from "./document-store.js";
import type { ServiceTools, ToolDefinition } from "./service-tools.js";

export const DATA_TOOL_NAMES = ["data:query", "data:insert", "data:update", "data:delete"] as const;
export type DataToolName = (typeof DATA_TOOL_NAMES)[number];
/** `tenant` comes from the authenticated request, never from `args` (which the tenant's code wrote). */
export type DataToolHandler = (tenant: string, args: unknown) => Promise<unknown>;

/** The built-in data tools; each returns plain JSON (data:query as JSON text) and throws DataError naming the bad argument. */
export function dataTools(store: DocumentStore): Record<DataToolName, DataToolHandler> {
  return {
    // JSON text, handed to the sandbox as it is (json-text.ts): the host's main thread never builds the rows.
    "data:query": tool("data:query", ["collection", "where", "limit", "offset", "orderBy", "order"], ["collection"], async (tenant, a) =>
      new JsonText(await store.queryJson(tenant, a.collection as string, {
        where: a.where as Filter | undefined,
        limit: optional(a, "limit", "number") as number | undefined,
        offset: optional(a, "offset", "number") as number | undefined,
        orderBy: optional(a, "orderBy", "string") as string | undefined,
        order: optional(a, "order", "string") as "asc" | "desc" | undefined,
      })),
    ),
    "data:insert": tool("data:insert", ["collection", "doc", "id"], ["collection", "doc"], (tenant, a) =>
      store.insert(tenant, a.collection as string, a.doc as object, optional(a, "id", "string") as string | undefined),
    ),
    "data:update": tool("data:update", ["collection", "id", "where", "set"], ["collection", "set"], (tenant, a) =>
      store.update(tenant, a.collection as string, selector(a), a.set as object),
    ),
    "data:delete": tool("data:delete", ["collection", "id", "where"], ["collection"], (tenant, a) =>
      store.delete(tenant, a.collection as string, selector(a)),
    ),
  };
}

function tool(
  name: DataToolName,
  allowed: readonly string[],
  required: readonly string[],
  body: (tenant: string, args: Record<string, unknown>) => Promise<unknown>,
): DataToolHandler {
  return async (tenant, args) => {
    try {
      if (typeof args !== "object" || args === null || Array.isArray(args)) {
        throw new DataError(`arguments must be an object with ${allowed.join(", ")}`);
      }
      const record = args as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!allowed.includes(key)) throw new DataError(`unknown argument ${JSON.stringify(key)} (allowed: ${allowed.join(", ")})`);
      }
      for (const key of required) {
        if (record[key] === undefined) throw new DataError(`${key}: required`);
      }
      return await body(tenant, record);
    } catch (error) {
      // Prefix the tool so a tenant sees which call was wrong; anything else is the host's problem.
      if (error instanceof DataError) throw new DataError(`${name}: ${error.message}`);
      throw error;
    }
  };
}

function optional(args: Record<string, unknown>, key: string, type: "string" | "number"): unknown {
  const value = args[key];
  if (value !== undefined && typeof value !== type) throw new DataError(`${key}: must be a ${type}`);
  return value;
}

function selector(args: Record<string, unknown>): Selector {
  const result: Selector = {};
  if (args.id !== undefined) result.id = args.id as string;
  if (args.where !== undefined) result.where = args.where as Filter;
  return result;
}

/** Registers the data tools as built-ins over `store`; each is bound to the calling tenant. */
export function registerDataTools(tools: ServiceTools, store: DocumentStore): void {
  const handlers = dataTools(store);
  for (const name of DATA_TOOL_NAMES) {
    const handler: ToolDefinition["handler"] = async (args, ctx) => {
      try {
        return await handlers[name](ctx.tenantId, args);
      } catch (error) {
        // A bad argument is the tenant's to read; a database failure is ours, and says nothing of our internals.
        if (error instanceof DataError) throw error;
        throw new Error(`${name}: the data store failed; try again`);
      }
    };
    tools.register(name, { handler }, true);
  }
}
