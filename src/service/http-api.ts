import { Transform } from "node:stream";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ERRORS, type ErrorInfo } from "../errors.js";
import type { Caller } from "./caller.js";
import type { TenantConfig } from "./config.js";
import { ServiceError, SERVICE_ERROR_STATUS, type ServiceErrorCode } from "./service-error.js";
import { TenantService, type Outcome, type RunBody, type ServiceOptions } from "./tenant-service.js";
import type { ToolDefinition } from "./service-tools.js";

export interface ServerOptions extends ServiceOptions {
  /** fastify's logger (pino): false (default) or its options; tokens and bodies are never logged. */
  logger?: boolean | Record<string, unknown>;
}

declare module "fastify" {
  interface FastifyRequest {
    caller?: Caller;
  }
}

// Room for a request's JSON envelope around the code (escaping can double a script's length).
const ENVELOPE_BYTES = 64 * 1024;
const EVENT_NAME = "^[A-Za-z0-9_.:-]{1,128}$";

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
  properties: { payload: {}, context: {} },
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
 * The HTTP API over a TenantService (fastify). Every error is JSON `{ error: { code, message } }` with the
 * status the code stands for; an execution that ran answers with its report (the `execute()` result).
 */
export class TenantboxServer {
  readonly service: TenantService;
  readonly app: FastifyInstance;
  private shuttingDown = false;
  /** Requests whose handler runs: what a graceful shutdown waits for. */
  private readonly handling = new Set<FastifyRequest>();
  private idle: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    const { logger = false, ...serviceOptions } = options;
    this.service = new TenantService({
      log: (message, error) => (error === undefined ? this.app?.log.warn(message) : this.app?.log.error({ err: error }, message)),
      ...serviceOptions,
    });
    const largestCode = Math.max(0, ...[...this.service.config.tenants.values()].map((t) => t.quotas.maxCodeSizeKB * 1024));
    this.app = Fastify({
      logger,
      bodyLimit: Math.max(1024 * 1024, 2 * largestCode + ENVELOPE_BYTES),
      // We answer 503 ourselves while closing, in our error shape.
      return503OnClosing: false,
      // A request (headers and body) must arrive within 30 s: slow senders do not hold connections forever.
      requestTimeout: 30_000,
      // Bodies are checked as they are: no coercion, no silently dropped fields.
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    });
    this.routes();
  }

  /** Registers a platform tool (see TenantService.tool). */
  tool(name: string, definition: ToolDefinition): this {
    this.service.tool(name, definition);
    return this;
  }

  /** Starts listening; resolves with the base URL. */
  async listen(options: { port?: number; host?: string } = {}): Promise<string> {
    await this.service.start();
    return this.app.listen({ port: options.port ?? 3000, host: options.host ?? "127.0.0.1" });
  }

  /**
   * Graceful: stop accepting, let the requests being handled finish, then cut every connection still open
   * (a request that has not finished arriving is not work in flight: a stalled client must not hold the
   * shutdown open), end the pools, close the database.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.shuttingDown = true;
      try {
        const closed = this.app.close();
        // Bounded: the longest execution any tenant may run, plus time to answer.
        const longest = Math.max(0, ...[...this.service.config.tenants.values()].map((t) => t.quotas.maxExecutionDurationMs));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.handled(), new Promise((resolve) => (timer = setTimeout(resolve, longest + 30_000)))]);
        clearTimeout(timer);
        this.app.server.closeAllConnections();
        await closed;
      } finally {
        await this.service.close();
      }
    })();
    return this.closing;
  }

  /** Resolves when no request is being handled (its body arrived and its handler runs). */
  private handled(): Promise<void> {
    if (this.handling.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private routes(): void {
    const { app, service } = this;

    app.addHook("onRequest", async (request) => {
      if (this.shuttingDown) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
      // No route: 404 before any body is read.
      if (request.routeOptions.url === undefined) throw new ServiceError("NOT_FOUND", "no such route");
      // By the matched route, not the raw URL: every /v1 route needs a token, however the path was spelled.
      if (!request.routeOptions.url.startsWith("/v1/")) return;
      const caller = await service.authenticate(request.headers.authorization);
      // Known before the rate limit is taken: a throttled request is counted under its tenant.
      request.caller = caller;
      await service.takeRequest(caller.tenant);
      // The body may not be larger than the tenant's code size allows (plus its JSON envelope).
      const length = Number(request.headers["content-length"] ?? 0);
      const limit = bodyLimitOf(caller.tenant);
      if (length > limit) throw new ServiceError("PAYLOAD_TOO_LARGE", `request body is ${length} bytes; this tenant's limit is ${limit}`);
    });

    // Work in flight, for close(): from the handler's start to the answer (or the client going away).
    app.addHook("preHandler", async (request) => {
      if (this.shuttingDown) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
      this.handling.add(request);
    });
    const finished = async (request: FastifyRequest) => {
      if (!this.handling.delete(request) || this.handling.size > 0) return;
      const idle = this.idle;
      this.idle = [];
      for (const wake of idle) wake();
    };
    app.addHook("onResponse", finished);
    app.addHook("onRequestAbort", finished);

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

    // The connection closes after an answer sent before its request's body arrived (a refusal: Node would
    // otherwise read and discard whatever the client keeps sending), and after every answer while shutting
    // down (a keep-alive client must not hold the close open).
    app.addHook("onSend", async (request, reply) => {
      if (this.shuttingDown || !request.raw.complete) reply.header("connection", "close");
    });

    app.setNotFoundHandler((_request, reply) => {
      void sendError(reply, "NOT_FOUND", "no such route");
    });

    app.setErrorHandler((error: FastifyError | ServiceError, request, reply) => {
      const { code, message, retryAfterMs } = describeError(error);
      if (code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
      service.metrics.rejected(request.caller?.tenant.id ?? "", code);
      return sendError(reply, code, message, retryAfterMs);
    });

    app.get("/healthz", async () => ({ status: "ok" }));

    app.get("/metrics", async (_request, reply) => {
      const { contentType, body } = await service.metrics.render();
      return reply.type(contentType).send(body);
    });

    app.post<{ Body: RunBody }>("/v1/run", { schema: { body: runSchema } }, async (request, reply) => {
      const answer = await service.run(caller(request), request.body);
      return sendOutcome(reply, answer, resultStatus(answer.result.error));
    });

    app.post<{ Body: { code: string; context?: unknown } }>("/v1/execute", { schema: { body: executeSchema } }, async (request, reply) => {
      const answer = await service.executeCode(caller(request), request.body.code, request.body.context);
      // A script names no module or function: one it requires and cannot have is its own failure (200), not a 404.
      const status = resultStatus(answer.result.error);
      return sendOutcome(reply, answer, status === 404 ? 200 : status);
    });

    app.post<{ Params: { event: string }; Body: { payload?: unknown; context?: unknown } | undefined }>(
      "/v1/events/:event",
      {
        schema: { body: eventSchema, params: { type: "object", properties: { event: { type: "string", pattern: EVENT_NAME } } } },
        // No body at all is an event without a payload (`curl -X POST .../v1/events/x`).
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const answer = await service.emit(caller(request), request.params.event, body.payload ?? null, body.context);
        // The first policy refusal among the handlers decides the status; every handler's result is in the body.
        const refused = answer.result.map((hook) => resultStatus(hook.error)).find((s) => s === 403 || s === 429);
        return sendOutcome(reply, { ...answer, result: { event: request.params.event, results: answer.result } }, refused ?? 200);
      },
    );

    app.post<{ Body: { code: string; kind?: "module" | "script"; filename?: string } }>("/v1/validate", { schema: { body: validateSchema } }, async (request) => {
      const { tenant } = caller(request);
      return service.validate(tenant, request.body.code, request.body.kind, request.body.filename);
    });

    app.get("/v1/modules", async (request) => service.modules(caller(request).tenant));

    app.get("/v1/usage", async (request) => service.usage(caller(request).tenant));
  }
}

/** The largest request body a tenant may send: its code size, twice (JSON escaping), plus the envelope. */
function bodyLimitOf(tenant: TenantConfig): number {
  return 2 * tenant.quotas.maxCodeSizeKB * 1024 + ENVELOPE_BYTES;
}

function caller(request: FastifyRequest): Caller {
  if (!request.caller) throw new ServiceError("UNAUTHORIZED", "missing bearer token");
  return request.caller;
}

/** The status of an execution's answer (the error table's): a refusal, a 404 for what does not exist, else 200 with the report. */
function resultStatus(error: ErrorInfo | undefined): number {
  return error ? ERRORS[error.code].status : 200;
}

function sendOutcome(reply: FastifyReply, answer: Outcome<unknown>, status: number): FastifyReply {
  if (status === 429) reply.header("retry-after", retryAfterSeconds(answer.retryAfterMs ?? 1000));
  return reply.code(status).send(answer.result);
}

function sendError(reply: FastifyReply, code: ServiceErrorCode, message: string, retryAfterMs?: number): FastifyReply {
  const status = SERVICE_ERROR_STATUS[code];
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) reply.header("retry-after", retryAfterSeconds(retryAfterMs ?? 1000));
  return reply.code(status).send({ error: { code, message } });
}

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** Any error to a code and a message safe to show: never a stack, never an internal message for a 500. */
function describeError(error: FastifyError | ServiceError): { code: ServiceErrorCode; message: string; retryAfterMs?: number } {
  if (error instanceof ServiceError) {
    return error.retryAfterMs !== undefined
      ? { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs }
      : { code: error.code, message: error.message };
  }
  if (error.validation) return { code: "INVALID_REQUEST", message: error.message };
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { code: "PAYLOAD_TOO_LARGE", message: "request body is too large" };
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: "INVALID_REQUEST", message: error.message };
  }
  return { code: "INTERNAL_ERROR", message: "internal error" };
}
