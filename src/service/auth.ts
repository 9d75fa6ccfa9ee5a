import {
  SignJWT,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from "jose";
import { ServiceError } from "./service-error.js";

export interface Principal {
  tenantId: string;
  /** The token's `sub`, or null when absent. */
  user: string | null;
  /** The token's `permissions` claim; null when the claim is absent (the service then uses the tenant's). */
  permissions: string[] | null;
}

export interface AuthOptions {
  /** HS256 shared secret, at least 32 characters. */
  secret?: string;
  /** JWKS endpoint for RS256 / ES256 tokens. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const MIN_SECRET_LENGTH = 32;
const MAX_TENANT_ID_LENGTH = 64;
// Real tokens are a few hundred bytes; refuse megabyte headers before any parsing.
const MAX_TOKEN_LENGTH = 8192;
const CLOCK_TOLERANCE_S = 5;
const SECRET_ALGS = ["HS256"];
const JWKS_ALGS = ["RS256", "ES256"];

/** Thrown by the JWKS wrapper when the key server itself fails: that is our outage, not a bad token. */
class KeySourceError extends Error {}

function secretKey(secret: string): Uint8Array {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`auth secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

/**
 * TENANTBOX_JWT_SECRET: undefined when unset or empty (`TENANTBOX_JWT_SECRET=` from a compose file whose variable
 * is not set reads as unset, so the config's auth.secret applies), a TypeError naming the variable when too short.
 */
export function environmentSecret(): string | undefined {
  const secret = process.env.TENANTBOX_JWT_SECRET;
  if (secret === undefined || secret === "") return undefined;
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`TENANTBOX_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters, got ${secret.length} (openssl rand -hex 32 makes one)`);
  }
  return secret;
}

const unauthorized = (message: string) => new ServiceError("UNAUTHORIZED", message);

export class Authenticator {
  readonly #secret: Uint8Array | null;
  readonly #jwks: JWTVerifyGetKey | null;
  readonly #claims: Pick<JWTVerifyOptions, "issuer" | "audience">;
  /** Tokens verified recently (a client sends the same one again and again): verification is most of a request's cost. */
  readonly #verified = new Map<string, { principal: Principal; until: number }>();

  constructor(options: AuthOptions) {
    if (!options || (options.secret === undefined && options.jwksUrl === undefined)) {
      throw new TypeError("auth needs a secret or a jwksUrl");
    }
    this.#secret = options.secret !== undefined ? secretKey(options.secret) : null;
    this.#jwks = options.jwksUrl !== undefined ? wrapJwks(createRemoteJWKSet(new URL(options.jwksUrl))) : null;
    this.#claims = {
      ...(options.issuer !== undefined && { issuer: options.issuer }),
      ...(options.audience !== undefined && { audience: options.audience }),
    };
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw unauthorized("missing bearer token");
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    if (!match) throw unauthorized("expected a Bearer token");
    const token = match[1];
    if (token.length > MAX_TOKEN_LENGTH) throw unauthorized("token too large");
    const cached = this.#verified.get(token);
    if (cached && cached.until > Date.now()) return cached.principal;

    let payload: JWTPayload;
    try {
      payload = (await this.#verifyJwt(token)).payload;
    } catch (err) {
      throw mapError(err);
    }
    const principal = principalFrom(payload);
    // Until the token expires, and at most a minute: a key rotation or a config change is seen soon.
    const until = Math.min(Date.now() + CACHE_MS, (payload.exp ?? 0) * 1000);
    if (this.#verified.size >= MAX_CACHED_TOKENS) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(token, { principal, until });
    return principal;
  }

  async #verifyJwt(token: string) {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized("malformed token");
    }
    // The header only picks which key to try; the algorithm allow-list is still enforced by jwtVerify.
    const useSecret = this.#secret !== null && (this.#jwks === null || alg === "HS256");
    const common = { ...this.#claims, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ["exp"] };
    if (useSecret) return jwtVerify(token, this.#secret!, { ...common, algorithms: SECRET_ALGS });
    return jwtVerify(token, this.#jwks!, { ...common, algorithms: JWKS_ALGS });
  }
}

function wrapJwks(jwks: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      // No matching key means the token is not ours; anything else (fetch, timeout, bad JSON) is the key server.
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeySourceError("key server failed", { cause: err });
    }
  };
}

function mapError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof KeySourceError) return new ServiceError("UNAVAILABLE", "token keys unavailable");
  if (err instanceof errors.JWTExpired) return unauthorized("token expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return unauthorized("token issuer not accepted");
    if (err.claim === "aud") return unauthorized("token audience not accepted");
    if (err.claim === "nbf") return unauthorized("token not yet valid");
    if (err.claim === "exp") return unauthorized("token has no expiry");
    return unauthorized("invalid token claims");
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return unauthorized("token algorithm not accepted");
  }
  return unauthorized("invalid token");
}

const CACHE_MS = 60_000;
const MAX_CACHED_TOKENS = 10_000;

function principalFrom(payload: JWTPayload): Principal {
  const { tenantId, sub, permissions } = payload;
  if (typeof tenantId !== "string" || tenantId.length === 0 || tenantId.length > MAX_TENANT_ID_LENGTH) {
    throw unauthorized("token has no valid tenantId");
  }
  if (sub !== undefined && typeof sub !== "string") throw unauthorized("invalid token subject");
  if (permissions !== undefined && !(Array.isArray(permissions) && permissions.every((p) => typeof p === "string"))) {
    throw unauthorized("token permissions must be an array of strings");
  }
  // Frozen: one principal serves every request that carries the same token.
  return Object.freeze({
    tenantId,
    user: sub ?? null,
    permissions: permissions === undefined ? null : Object.freeze([...(permissions as string[])]) as string[],
  });
}

/** Signs a development token (HS256) for `npm start`, `tenantbox token` and tests; refuses one the service would refuse for its size (RangeError). */
export async function signToken(
  secret: string,
  claims: { tenantId: string; sub?: string; permissions?: string[]; issuer?: string; audience?: string },
  expiresIn = "30d",
): Promise<string> {
  const jwt = new SignJWT({
    tenantId: claims.tenantId,
    ...(claims.permissions !== undefined && { permissions: claims.permissions }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.issuer !== undefined) jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt.setAudience(claims.audience);
  const token = await jwt.sign(secretKey(secret));
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new RangeError(`the token would be ${token.length} characters; the service accepts at most ${MAX_TOKEN_LENGTH} (a shorter subject or fewer permissions)`);
  }
  return token;
}
