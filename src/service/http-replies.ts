import http from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply } from "fastify";
import { ERRORS, type ErrorInfo } from "../errors.js";
import { ServiceError, SERVICE_ERROR_STATUS, type ServiceErrorCode } from "./service-error.js";
import type { Outcome } from "./tenant-service.js";
import { rawBody } from "./raw-values.js";

/** The status of an execution's answer (the runtime's error table): a refusal, a 404 for what does not exist, else 200 with the report. */
export function resultStatus(error: ErrorInfo | undefined): number {
  return error ? ERRORS[error.code].status : 200;
}

export function sendOutcome(reply: FastifyReply, answer: Outcome<unknown>, status: number): FastifyReply {
  if (status === 429) reply.header("retry-after", retryAfterSeconds(answer.retryAfterMs ?? 1000));
  return sendWithRawValues(reply.code(status), answer.result);
}

/**
 * A body that may hold tenants' values as JsonText (a call's, a queued job's): their text goes in as it is
 * (raw-values.ts); a large one is streamed in slices, never joined and encoded on the main thread at once.
 */
export function sendWithRawValues(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type("application/json; charset=utf-8").send(rawBody(body));
}

/** `status`: the code's own unless given (an unsupported content type is INVALID_REQUEST with 415). */
export function sendError(reply: FastifyReply, code: ServiceErrorCode, message: string, retryAfterMs?: number, status: number = SERVICE_ERROR_STATUS[code]): FastifyReply {
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) reply.header("retry-after", retryAfterSeconds(retryAfterMs ?? 1000));
  return reply.code(status).send({ error: { code, message } });
}

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** The error code of a body sent with a content-encoding (gzip, ...) or a charset other than UTF-8: the service reads JSON as sent, in UTF-8 (415). */
export const UNSUPPORTED_CONTENT_ENCODING = "TENANTBOX_UNSUPPORTED_CONTENT_ENCODING";

/** Any error to a code and a message safe to show: never a stack, never an internal message for a 500. */
export function describeError(error: FastifyError | ServiceError): { code: ServiceErrorCode; message: string; retryAfterMs?: number; status?: number } {
  if (error instanceof ServiceError) {
    return error.retryAfterMs !== undefined
      ? { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs }
      : { code: error.code, message: error.message };
  }
  if (error.validation) return { code: "INVALID_REQUEST", message: error.message };
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return { code: "INVALID_REQUEST", message: "the body must be JSON, sent with content-type: application/json", status: 415 };
  if (error.code === UNSUPPORTED_CONTENT_ENCODING) return { code: "INVALID_REQUEST", message: error.message, status: 415 };
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { code: "PAYLOAD_TOO_LARGE", message: "request body is too large" };
  // The router's refusals name the whole path: not echoed back.
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") return { code: "INVALID_REQUEST", message: "a path parameter is too long" };
  if (error.code === "FST_ERR_BAD_URL") return { code: "INVALID_REQUEST", message: "the URL is not valid" };
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: "INVALID_REQUEST", message: error.message };
  }
  return { code: "INTERNAL_ERROR", message: "internal error" };
}

/**
 * What Node's HTTP parser refuses before there is a request to route (fastify's clientErrorHandler): a
 * malformed request line or header (400), a URL and headers over the size limit (431), a request that did
 * not arrive in time (408). Answered in the service's error shape, and the connection is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A connection reset, or one already gone: nothing to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "the request did not arrive in time"]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "the request's URL and headers are too large"]
        : [400, "the request is not valid HTTP"];
  const body = JSON.stringify({ error: { code: "INVALID_REQUEST", message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** What a route's schema patterns mean, said in words (a regular expression tells a client little). */
const PATTERN_WORDS = new Map<string, string>();

/** Registers the words for a pattern a route schema uses; returns the pattern's source for the schema. */
export function patternInWords(pattern: RegExp | string, words: string): string {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  PATTERN_WORDS.set(source, words);
  return source;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { properties?: Record<string, unknown> };
}

/**
 * fastify's schemaErrorFormatter: the first schema error of a request, said so that the client knows what to
 * send. ajv's own words except where they do not say it: an unknown field is named, with the fields the route
 * takes; a pattern is described; a query parameter given twice says so (it arrives as an array).
 */
export function schemaRefusal(errors: readonly SchemaError[], dataVar: string): Error {
  const error = errors[0];
  const where = `${dataVar}${error?.instancePath ?? ""}`;
  let message: string;
  if (error === undefined) message = `${dataVar} is not valid`;
  else if (error.keyword === "additionalProperties") {
    const allowed = Object.keys(error.parentSchema?.properties ?? {});
    const field = JSON.stringify(String(error.params.additionalProperty).slice(0, 64));
    const noun = dataVar === "querystring" ? "query parameter" : "field";
    message = `${where} must NOT have additional properties: ${field} is not a ${noun} of this route${allowed.length > 0 ? ` (its ${noun}s: ${allowed.join(", ")})` : " (it takes none)"}`;
  } else if (error.keyword === "enum" && Array.isArray(error.params.allowedValues)) {
    message = `${where} must be one of ${error.params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
  } else if (error.keyword === "pattern" && PATTERN_WORDS.has(String(error.params.pattern))) {
    message = `${where} must be ${PATTERN_WORDS.get(String(error.params.pattern))}`;
  } else if (dataVar === "querystring" && error.keyword === "type" && error.instancePath !== "") {
    message = `${where} must be given once`;
  } else message = `${where} ${error.message ?? "is not valid"}`;
  return new Error(message);
}