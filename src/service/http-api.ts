import { isUtf8 } from "node:buffer";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import { jsonShapeProblem, MAX_JSON_KEY_LENGTH } from "../json-shape.js";
import { MAX_EVENT_NAME } from "../registry/manifest.js";
import { MAX_JSON_LAYOUTS } from "../runner/protocol.js";
import { bodyLimitOf } from "./caller-gate.js";
import { clusterMetrics } from "./cluster-metrics.js";
import { answerClientError, describeError, schemaRefusal, sendError, UNSUPPORTED_CONTENT_ENCODING } from "./http-replies.js";
import { InFlight } from "./in-flight.js";
import { ServiceError } from "./service-error.js";
import type { ToolDefinition } from "./service-tools.js";
import { TenantService, type ServiceOptions } from "./tenant-service.js";
import { tenantRoutes } from "./tenant-routes.js";

export interface ServerOptions extends ServiceOptions {
  /** fastify's logger (pino): false (default) or its options; tokens and bodies are never logged. */
  logger?: boolean | Record<string, unknown>;
  /** One worker of `serve --workers`: /metrics answers for every worker (the primary aggregates them). */
  clusterWorker?: boolean;
  /** A request's headers and body must arrive within this (ms, default 30 s): a slower sender is answered 408 and cut off. */
  requestTimeoutMs?: number;
}

/**
 * The HTTP API over a TenantService (fastify). Every error is JSON `{ error: { code, message } }` with the
 * status the code stands for; an execution that ran answers with its report (the `execute()` result).
 * This file is the server's life (routes that exist, shutdown); who may call is the caller gate's
 * (caller-gate.ts), what they may ask is the tenant routes' (tenant-routes.ts).
 */
export class TenantboxServer {
  readonly service: TenantService;
  readonly app: FastifyInstance;
  private shuttingDown = false;
  private readonly inFlight = new InFlight<FastifyRequest>();
  private closing: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    const { logger = false, clusterWorker = false, requestTimeoutMs = 30_000, ...serviceOptions } = options;
    // Said by its own name (Node's RangeError named its "requestTimeout").
    if (!Number.isSafeInteger(requestTimeoutMs) || requestTimeoutMs < 1) {
      throw new TypeError(`tenantbox: option "requestTimeoutMs" must be a positive integer (ms), got ${JSON.stringify(requestTimeoutMs)}`);
    }
    this.service = new TenantService({
      log: (message, error) => (error === undefined ? this.app?.log.warn(message) : this.app?.log.error({ err: error }, message)),
      ...serviceOptions,
    });
    this.app = Fastify({
      logger,
      // No tenant's request can be larger than this; the caller gate holds each to its own tenant's limit.
      bodyLimit: Math.max(1024 * 1024, ...[...this.service.config.tenants.values()].map(bodyLimitOf)),
      // We answer 503 ourselves while closing, in our error shape.
      return503OnClosing: false,
      // A request (headers and body) must arrive in time: slow senders do not hold connections forever.
      // Node reads it when the server is made (fastify's own setting comes after and is not enforced), and
      // checks connections every second instead of every 30 s.
      requestTimeout: requestTimeoutMs,
      http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) },
      // Bodies are checked as they are: no coercion, no silently dropped fields.
      // verbose: a refusal can name what the schema allows (only errors carry it).
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, verbose: true } },
      // A refusal says what to send: the unknown field by name, a pattern in words.
      schemaErrorFormatter: schemaRefusal,
      // Every event name a manifest may declare routes, each character percent-encoded too (the router
      // measures the raw path); the route's schema then holds the name to its own limit.
      routerOptions: { maxParamLength: 3 * MAX_EVENT_NAME },
      // What the router refuses (a parameter past that, a malformed URL) answers in our error shape too.
      frameworkErrors: (error, _request, reply) => {
        const { code, message, status } = describeError(error);
        this.service.metrics.rejected("", code);
        void sendError(reply, code, message, undefined, status);
      },
      // So does what Node's HTTP parser refuses before there is a request (bad syntax, headers too large).
      clientErrorHandler: answerClientError,
    });
    this.jsonBodies();
    this.lifecycle();
    this.app.get("/healthz", async () => ({ status: "ok" }));
    const render = clusterWorker ? clusterMetrics(this.service.metrics.registry) : () => this.service.metrics.render();
    this.app.get("/metrics", async (_request, reply) => {
      const { contentType, body } = await render();
      return reply.type(contentType).send(body);
    });
    void this.app.register(tenantRoutes, { prefix: "/v1", service: this.service });
  }

  /** Registers a platform tool (see TenantService.tool). */
  tool(name: string, definition: ToolDefinition): this {
    this.service.tool(name, definition);
    return this;
  }

  /** Starts listening on `host` (the network address to bind); resolves with the base URL. */
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
        await Promise.race([this.inFlight.drained(), new Promise((resolve) => (timer = setTimeout(resolve, longest + 30_000)))]);
        clearTimeout(timer);
        this.app.server.closeAllConnections();
        await closed;
      } finally {
        await this.service.close();
      }
    })();
    return this.closing;
  }

  /**
   * JSON bodies as fastify parses them (secure-json-parse: a `__proto__` key, or a `constructor` key whose
   * value has a `prototype`, is refused anywhere in the body), but a body refused for such a key says so
   * rather than that it is not JSON.
   */
  private jsonBodies(): void {
    // JSON only: fastify's own text/plain parser would hand a route a string, refused as "body must be object"
    // (400) where every other type that is not JSON is a 415.
    this.app.removeContentTypeParser("text/plain");
    const parse = this.app.getDefaultJsonParser("error", "error");
    this.app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
      // A compressed body would be read as text and refused as bad JSON: say what is wrong instead (415).
      const encoding = request.headers["content-encoding"];
      if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
        done(Object.assign(new Error("the body must be sent uncompressed (no content-encoding)"), { code: UNSUPPORTED_CONTENT_ENCODING, statusCode: 415 }), undefined);
        return;
      }
      const bytes = body as Buffer;
      // No body at all is no body, whatever its type says: a POST that takes none (a dead letter's retry) sent by
      // a client that sets content-type: application/json on every request; a route that needs one says so.
      if (bytes.length === 0) {
        done(null, undefined);
        return;
      }
      // JSON is UTF-8 (RFC 8259): a body said to be in another charset (latin1, utf-16) was read as UTF-8, its
      // non-ASCII characters turned into U+FFFD without a word; so was one whose bytes are not UTF-8. Refused.
      const charset = charsetProblem(request.headers["content-type"]);
      if (charset !== undefined) {
        done(Object.assign(new Error(charset), { code: UNSUPPORTED_CONTENT_ENCODING, statusCode: 415 }), undefined);
        return;
      }
      if (!isUtf8(bytes)) {
        done(new ServiceError("INVALID_REQUEST", NOT_UTF8), undefined);
        return;
      }
      const text = bytes.toString("utf8");
      // Before any parse (invariant 8): what would make JSON.parse cost the main thread more than the body's bytes.
      const problem = jsonShapeProblem(text, { maxDepth: Infinity, maxContainers: MAX_BODY_CONTAINERS, maxShapes: MAX_JSON_LAYOUTS });
      if (problem !== undefined) {
        done(new ServiceError("INVALID_REQUEST", problem === "shapes" ? BODY_LAYOUTS : problem === "keys" ? BODY_KEY_LENGTH : BODY_CONTAINERS), undefined);
        return;
      }
      parse(request, text, (error, value) => {
        if (error && isJson(text)) {
          done(new ServiceError("INVALID_REQUEST", PROTOTYPE_KEY), undefined);
          return;
        }
        done(error, value);
      });
    });
  }

  /** Hooks of every route: refusals while shutting down, 404 before a body is read, work in flight, errors. */
  private lifecycle(): void {
    const { app } = this;

    // Runs before the caller gate's onRequest (a parent scope's hooks come first).
    app.addHook("onRequest", async (request) => {
      if (this.shuttingDown) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
      // No route: 404 before any body is read.
      if (request.routeOptions.url === undefined) throw new ServiceError("NOT_FOUND", "no such route");
    });

    // Work in flight, for close(): from the handler's start until its answer is handed over (onSend: the
    // handler's work, audit row included, is done) and the response has ended: sent in full ('finish'), or
    // its connection closed, which never finishes a response (a client gone mid-answer).
    app.addHook("preHandler", async (request) => {
      if (this.shuttingDown) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
      this.inFlight.add(request);
    });
    app.addHook("onSend", async (request, reply) => {
      const done = () => this.inFlight.done(request);
      if (reply.raw.destroyed) done();
      else reply.raw.once("close", done);
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
      const { code, message, retryAfterMs, status } = describeError(error);
      if (code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
      this.service.metrics.rejected(request.caller?.tenant.id ?? "", code);
      return sendError(reply, code, message, retryAfterMs, status);
    });
  }
}

/** Arrays and objects a JSON body may hold: each costs the parse 20-60 ns (a megabyte of `[]` took 20-50 ms). */
const MAX_BODY_CONTAINERS = 65_536;
const BODY_CONTAINERS = `the body holds more than ${MAX_BODY_CONTAINERS} arrays and objects`;
const BODY_KEY_LENGTH = `the body holds an object key longer than ${MAX_JSON_KEY_LENGTH} characters`;
const BODY_LAYOUTS = `the body holds more than ${MAX_JSON_LAYOUTS} distinct object layouts (objects whose keys differ from one another's: send a big map as a list of entries)`;

const NOT_UTF8 = "the body is not UTF-8: JSON is sent as UTF-8 (a latin1 or other encoding of it is refused, not guessed at)";

/** Charsets a JSON body may be said to be in: UTF-8 (and ASCII, a part of it). */
const UTF8_CHARSETS = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

/** Why a content-type's charset parameter is refused, or undefined (none, or UTF-8). */
function charsetProblem(contentType: string | undefined): string | undefined {
  // Most clients send no parameter at all: nothing to look at.
  if (contentType === undefined || !contentType.includes(";")) return undefined;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  if (!match) return undefined;
  const charset = (match[1] ?? match[2] ?? "").trim();
  if (UTF8_CHARSETS.has(charset.toLowerCase())) return undefined;
  return `the body must be JSON in UTF-8 (content-type: application/json, or with charset=utf-8), not charset=${JSON.stringify(charset.slice(0, 40))}`;
}

/** Why a body that is valid JSON was refused by the JSON parser. */
export const PROTOTYPE_KEY = "the body has a __proto__ or constructor.prototype key, which is refused";

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
