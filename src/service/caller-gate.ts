import { Transform } from "node:stream";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Caller } from "./caller.js";
import type { TenantConfig } from "./config.js";
import { ServiceError } from "./service-error.js";
import type { TenantService } from "./tenant-service.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the caller gate before the body is read; null on routes outside it. */
    caller: Caller | null;
  }
}

// Room for a request's JSON envelope around the code (escaping can double a script's length).
const ENVELOPE_BYTES = 64 * 1024;

/** The largest request body a tenant may send: its code size, twice (JSON escaping), plus the envelope. */
export function bodyLimitOf(tenant: TenantConfig): number {
  return 2 * tenant.quotas.maxCodeSizeKB * 1024 + ENVELOPE_BYTES;
}

/** The caller of a route behind the gate. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new ServiceError("UNAUTHORIZED", "missing bearer token");
  return request.caller;
}

/**
 * Every request of the scope it is registered in, before its body is read: a valid token of a listed
 * tenant (401/403), one request of the tenant's rate limit (429), a body within the tenant's size (413).
 */
const gate: FastifyPluginAsync<{ service: TenantService }> = async (app, { service }) => {
  app.decorateRequest("caller", null);

  app.addHook("onRequest", async (request) => {
    const caller = await service.authenticate(request.headers.authorization);
    // Known before the rate limit is taken: a throttled request is counted under its tenant.
    request.caller = caller;
    await service.takeRequest(caller.tenant);
    const length = Number(request.headers["content-length"] ?? 0);
    const limit = bodyLimitOf(caller.tenant);
    if (length > limit) throw new ServiceError("PAYLOAD_TOO_LARGE", `request body is ${length} bytes; this tenant's limit is ${limit}`);
  });

  // A body without Content-Length (chunked) is counted as it arrives, against the same limit. One with it
  // was checked in onRequest, and fastify refuses a body longer than its Content-Length.
  app.addHook("preParsing", async (request, _reply, payload) => {
    if (!request.caller || request.headers["content-length"] !== undefined) return payload;
    const limit = bodyLimitOf(request.caller.tenant);
    let received = 0;
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          if (received > limit) callback(new ServiceError("PAYLOAD_TOO_LARGE", `request body is over this tenant's limit of ${limit} bytes`));
          else callback(null, chunk);
        },
      }),
    );
  });
};

// Not encapsulated (fastify's skip-override mark, what fastify-plugin sets): its hooks and the request
// decoration hold for the routes of the scope that registers it.
export const callerGate = Object.assign(gate, { [Symbol.for("skip-override")]: true });
