// A POST with content-type: application/json and no body at all (what clients that set the type on every
// request send for a route that takes none, such as a dead letter's retry) is a request without a body: the
// route decides (the retry runs; /v1/run says its body must be an object), never "Body cannot be empty when
// content-type is set to 'application/json'". A body that is there and not JSON stays a 400. Builds nothing:
// `npm test` builds first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken, TenantboxServer } from "../dist/service.js";

const SECRET = "tenantbox-empty-body-secret-0123456789";

let temp: string;
let server: TenantboxServer;
let base: string;
let headers: Record<string, string>;

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-empty-body-"));
  const folder = path.join(temp, "root", "acme");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "hooks.js"), 'exports.fail = () => { throw new Error("not yet"); };\n');
  fs.writeFileSync(path.join(folder, "tenantbox.json"), JSON.stringify({ hooks: { "order.created": ["hooks.js#fail"] } }));
  server = new TenantboxServer({
    root: path.join(temp, "root"),
    // free: one delivery attempt, so the failed handler is a dead letter at once.
    config: { tenants: [{ id: "acme", tier: "free" }] },
    dataDir: path.join(temp, "data"),
    jwtSecret: SECRET,
    watch: false,
    maxThreads: 1,
    logger: false,
  });
  base = await server.listen({ port: 0, host: "127.0.0.1" });
  headers = { authorization: `Bearer ${await signToken(SECRET, { tenantId: "acme" })}`, "content-type": "application/json" };
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

async function post(route: string, body?: string): Promise<{ status: number; body: any }> {
  const reply = await fetch(`${base}${route}`, { method: "POST", headers, ...(body !== undefined ? { body } : {}) });
  return { status: reply.status, body: await reply.json() };
}

describe("a JSON-typed POST without a body", () => {
  it("retries a dead letter (the route takes no body)", async () => {
    const queued = await post("/v1/events/order.created", JSON.stringify({ delivery: "queued" }));
    expect(queued.status).toBe(202);
    const id = queued.body.id as string;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = (await (await fetch(`${base}/v1/events/jobs/${id}`, { headers })).json()) as { state: string };
      if (job.state === "failed") break;
      if (Date.now() > deadline) throw new Error(`the job never failed: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A body with fields is refused before anything is retried (it was ignored: every dead letter went again).
    const selective = await post(`/v1/events/jobs/${id}/retry`, JSON.stringify({ handlers: [0] }));
    expect(selective).toEqual({ status: 400, body: { error: { code: "INVALID_REQUEST", message: 'body must NOT have additional properties: "handlers" is not a field of this route (it takes none)' } } });
    const retried = await post(`/v1/events/jobs/${id}/retry`);
    expect(retried, JSON.stringify(retried.body)).toEqual({ status: 200, body: { id, retried: 1 } });
    // {} is no body too (0 or 1 retried: the retried job may have failed again already).
    expect(await post(`/v1/events/jobs/${id}/retry`, "{}")).toEqual({ status: 200, body: { id, retried: expect.any(Number) } });
    // An unknown id is the route's own answer, not a refusal of the (absent) body.
    const unknown = await post("/v1/events/jobs/no-such-id/retry");
    expect(unknown).toEqual({ status: 404, body: { error: { code: "NOT_FOUND", message: expect.any(String) } } });
  }, 60_000);

  it("a route whose body is required says what it needs; a body that is not JSON is still bad JSON", async () => {
    for (const route of ["/v1/run", "/v1/execute", "/v1/validate"]) {
      expect(await post(route)).toEqual({ status: 400, body: { error: { code: "INVALID_REQUEST", message: "body must be object" } } });
    }
    const blank = await post("/v1/run", " ");
    expect(blank.status).toBe(400);
    expect(blank.body.error.code).toBe("INVALID_REQUEST");
    expect(blank.body.error.message).toMatch(/not valid JSON/);
  });
});
