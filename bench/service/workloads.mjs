// The service bench's tenant folders, request bodies and answer checks; shared by the main thread (server,
// direct runtime) and the HTTP client worker.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONTEXT, ORDER, SMALL_TOTAL } from "../workloads.mjs";

/** The existing bench's small hook (sum an order's items), byte for byte. */
export const SMALL = `"use strict";
exports.onOrder = function onOrder(order) {
  let total = 0;
  for (const item of order.items) total += item.price * item.qty;
  return { id: order.id, total: Math.round(total * 100) / 100, items: order.items.length };
};
`;

/** One data:insert and one data:query (by the new document's id: a primary-key lookup, so the cost stays flat as the table grows). */
export const DATA = `"use strict";
exports.onOrder = async function onOrder(order) {
  const { id } = await callTool("data:insert", { collection: "orders", doc: { orderId: order.id, items: order.items.length } });
  const rows = await callTool("data:query", { collection: "orders", where: { id }, limit: 1 });
  return { id, found: rows.length, items: rows[0] && rows[0].items };
};
`;

export const INLINE_CODE = "return 1 + 1";

/** Tenants: "acme" runs the small hook and inline scripts (no tools), "datacorp" the data hook. Both enterprise. */
export const TENANTS = { plain: "acme", data: "datacorp" };

export function writeTenantRoot() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-svc-bench-"));
  const root = path.join(base, "tenants");
  const dataDir = path.join(base, "data");
  for (const id of Object.values(TENANTS)) fs.mkdirSync(path.join(root, id, "hooks"), { recursive: true });
  fs.writeFileSync(path.join(root, TENANTS.plain, "hooks/small.js"), SMALL);
  fs.writeFileSync(path.join(root, TENANTS.data, "hooks/data.js"), DATA);
  return { base, root, dataDir };
}

export function serviceConfig(secret) {
  // Enterprise: 100 concurrent, 300 s, 100,000 executions a day. The day's execution quota is raised
  // further so that a long or repeated run can never trip it (the bench measures cost, not refusals).
  const quotas = { maxExecutionsPerDay: 1_000_000_000 };
  return {
    auth: { secret },
    tenants: [
      { id: TENANTS.plain, tier: "enterprise", quotas },
      {
        id: TENANTS.data,
        tier: "enterprise",
        quotas,
        permissions: ["tool:data:*"],
        tools: { "data:insert": {}, "data:query": {} },
      },
    ],
  };
}

/** HTTP workloads: method, path, tenant, JSON body, and what a correct answer's body is. */
export const HTTP_WORKLOADS = {
  health: { method: "GET", path: "/healthz", tenant: null, body: undefined, executes: false },
  run: {
    method: "POST",
    path: "/v1/run",
    tenant: TENANTS.plain,
    body: { file: "hooks/small.js", funcName: "onOrder", args: [ORDER], context: CONTEXT },
    executes: true,
  },
  execute: { method: "POST", path: "/v1/execute", tenant: TENANTS.plain, body: { code: INLINE_CODE, context: CONTEXT }, executes: true },
  data: {
    method: "POST",
    path: "/v1/run",
    tenant: TENANTS.data,
    body: { file: "hooks/data.js", funcName: "onOrder", args: [ORDER], context: CONTEXT },
    executes: true,
  },
  // bench:delivery's: one queued event (its handlers run later); the answer is a 202 with the event's id.
  queued: { method: "POST", path: "/v1/events/ping", tenant: "a", body: { payload: 1, delivery: "queued" }, executes: false, status: 202, keepIds: 500 },
};

/** True when a 200 answer's body is the right one for the workload. */
export function checkBody(workload, body) {
  switch (workload) {
    case "health":
      return body?.status === "ok";
    case "run":
    case "direct":
      return body?.success === true && body.value?.total === SMALL_TOTAL && body.value.id === ORDER.id;
    case "execute":
      return body?.success === true && body.value === 2;
    case "data":
      return body?.success === true && body.value?.found === 1 && body.value.items === ORDER.items.length && typeof body.value.id === "string";
    case "queued":
      return typeof body?.id === "string" && body.handlers === 1 && body.duplicate === false;
    default:
      return false;
  }
}
