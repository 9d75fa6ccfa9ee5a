import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { EVENT_NAME, MAX_EVENT_NAME } from "../registry/manifest.js";
import { callerGate, callerOf } from "./caller-gate.js";
import { patternInWords, resultStatus, sendOutcome, sendWithRawValues } from "./http-replies.js";
import { ServiceError } from "./service-error.js";
import type { RunBody, TenantService } from "./tenant-service.js";

const runSchema = {
  type: "object",
  required: ["file", "funcName"],
  additionalProperties: false,
  properties: {
    file: { type: "string", minLength: 1, maxLength: 1024 },
    funcName: { type: "string", minLength: 1, maxLength: 256 },
    args: { type: "array" },
    context: {},
  },
} as const;

const executeSchema = {
  type: "object",
  required: ["code"],
  additionalProperties: false,
  properties: { code: { type: "string" }, context: {} },
} as const;

const eventSchema = {
  type: "object",
  additionalProperties: false,
  properties: { payload: {}, context: {}, delivery: { type: "string", enum: ["sync", "queued"] } },
} as const;

const EVENT_PATTERN = patternInWords(EVENT_NAME, `an event name: 1-${MAX_EVENT_NAME} letters, digits or . _ : -`);

/** An Idempotency-Key header: printable ASCII, as most APIs take it (a UUID fits). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

// A queued event's id is a UUID the service made: printable ASCII. Anything else is refused before a store sees it
// (a NUL reached PostgreSQL, which refused the statement: a 500 and an error log line with a stack, per request).
const jobParams = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 64, pattern: patternInWords("^[\\x21-\\x7e]+$", "a queued event's id (printable ASCII)") } },
} as const;
// Query strings are text (the API coerces nothing): whole numbers, read in the handler.
const failedQuery = {
  type: "object",
  additionalProperties: false,
  // limit: 1 to 500, the page's bound, held by the schema itself. An empty before (`?limit=50&before=`, as the
  // README writes the route) is the first page.
  properties: {
    limit: { type: "string", pattern: patternInWords("^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$", "a whole number from 1 to 500") },
    before: { type: "string", pattern: patternInWords("^[0-9]{0,15}$", "empty or the `next` of the page before (a whole number)") },
  },
} as const;

const validateSchema = {
  type: "object",
  required: ["code"],
  additionalProperties: false,
  properties: {
    code: { type: "string" },
    kind: { type: "string", enum: ["module", "script"] },
    filename: { type: "string", minLength: 1, maxLength: 256 },
  },
} as const;

/**
 * A signal aborted when the client goes away before its answer is written (the connection closed): its
 * calls are cancelled and give their workers and slots back, instead of running to their timeout for nobody
 * (and holding a shutdown's drain that long).
 */
function abortedOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The tenant API (registered under /v1): every route is behind the caller gate, so every one needs a token. */
export const tenantRoutes: FastifyPluginAsync<{ service: TenantService }> = async (api, { service }) => {
  await api.register(callerGate, { service });

  api.post<{ Body: RunBody }>("/run", { schema: { body: runSchema } }, async (request, reply) => {
    const answer = await service.run(callerOf(request), request.body, abortedOnDisconnect(reply));
    return sendOutcome(reply, answer, resultStatus(answer.result.error));
  });

  api.post<{ Body: { code: string; context?: unknown } }>("/execute", { schema: { body: executeSchema } }, async (request, reply) => {
    const answer = await service.executeCode(callerOf(request), request.body.code, request.body.context, abortedOnDisconnect(reply));
    // A script names no module or function: one it requires and cannot have is its own failure (200), not a 404.
    const status = resultStatus(answer.result.error);
    return sendOutcome(reply, answer, status === 404 ? 200 : status);
  });

  api.post<{ Params: { event: string }; Body: { payload?: unknown; context?: unknown; delivery?: "sync" | "queued" } | undefined }>(
    "/events/:event",
    {
      schema: { body: eventSchema, params: { type: "object", properties: { event: { type: "string", pattern: EVENT_PATTERN } } } },
      // No body at all is an event without a payload (`curl -X POST .../v1/events/x`).
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      if (body.delivery === "queued") {
        const key = request.headers["idempotency-key"];
        if (key !== undefined && (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key))) {
          throw new ServiceError("INVALID_REQUEST", "Idempotency-Key must be 1-255 printable ASCII characters, no space");
        }
        const queued = await service.emitQueued(callerOf(request), request.params.event, body.payload ?? null, body.context ?? null, key ?? null);
        return reply.code(202).send(queued);
      }
      const answer = await service.emit(callerOf(request), request.params.event, body.payload ?? null, body.context, abortedOnDisconnect(reply));
      // The first policy refusal among the handlers decides the status; every handler's result is in the body.
      const refused = answer.result.map((hook) => resultStatus(hook.error)).find((s) => s === 403 || s === 429);
      return sendOutcome(reply, { ...answer, result: { event: request.params.event, results: answer.result } }, refused ?? 200);
    },
  );

  // Handlers' values are kept as their JSON text (JsonText) and written into the reply as they are.
  api.get<{ Params: { id: string } }>("/events/jobs/:id", { schema: { params: jobParams } }, async (request, reply) =>
    sendWithRawValues(reply, await service.queuedEvent(callerOf(request).tenant, request.params.id)),
  );

  api.post<{ Params: { id: string } }>(
    "/events/jobs/:id/retry",
    {
      // It takes no body: none, or {} at most. One with fields ({"handlers":[0]}, a retry of some handlers only)
      // was ignored and every dead letter of the event retried; it is refused as every route refuses unknown fields.
      schema: { params: jobParams, body: { type: "object", additionalProperties: false, properties: {} } },
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => service.retryQueuedEvent(callerOf(request).tenant, request.params.id),
  );

  api.get<{ Querystring: { limit?: string; before?: string } }>("/events/failed", { schema: { querystring: failedQuery } }, async (request, reply) => {
    const { limit, before } = request.query;
    return sendWithRawValues(reply, await service.deadLetters(callerOf(request).tenant, Number(limit ?? 50), before === undefined || before === "" ? undefined : Number(before)));
  });

  api.post<{ Body: { code: string; kind?: "module" | "script"; filename?: string } }>("/validate", { schema: { body: validateSchema } }, async (request) => {
    return service.validate(callerOf(request).tenant, request.body.code, request.body.kind, request.body.filename);
  });

  api.get("/modules", async (request) => service.modules(callerOf(request).tenant));

  api.get("/usage", async (request) => service.usage(callerOf(request).tenant));
};
