import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Authenticator, signToken } from "../src/service/auth.js";
import { ServiceError } from "../src/service/service-error.js";

const SECRET = "a-development-secret-of-32-chars!!";
const key = new TextEncoder().encode(SECRET);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function rejects(auth: Authenticator, header: string | undefined, code = "UNAUTHORIZED"): Promise<ServiceError> {
  const err = await auth.verify(header).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  const se = err as ServiceError;
  expect(se.code).toBe(code);
  if (code === "UNAUTHORIZED") expect(se.status).toBe(401);
  // Never echo the token back.
  if (header && header.length > 20) expect(se.message).not.toContain(header.slice(7, 27));
  return se;
}

const hs = (claims: Record<string, unknown>, exp: string | number = "1h") =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(key);

describe("Authenticator with an HS256 secret", () => {
  const auth = new Authenticator({ secret: SECRET });

  it("accepts a good token", async () => {
    const token = await signToken(SECRET, { tenantId: "acme", sub: "u1", permissions: ["tool:data:query"] });
    expect(await auth.verify(`Bearer ${token}`)).toEqual({
      tenantId: "acme",
      user: "u1",
      permissions: ["tool:data:query"],
    });
    // Scheme is case-insensitive (RFC 7235); absent sub and permissions map to null.
    const bare = await signToken(SECRET, { tenantId: "acme" });
    expect(await auth.verify(`bearer ${bare}`)).toEqual({ tenantId: "acme", user: null, permissions: null });
  });

  it("refuses missing, non-Bearer and garbage headers", async () => {
    await rejects(auth, undefined);
    await rejects(auth, "");
    await rejects(auth, "Basic dXNlcjpwYXNz");
    await rejects(auth, "Bearer");
    await rejects(auth, "Bearer not.a.jwt");
    await rejects(auth, "Bearer garbage");
    await rejects(auth, `Bearer ${"x".repeat(10_000)}`);
  });

  it("refuses a wrong secret, an expired token and alg none", async () => {
    const other = await signToken("another-secret-that-is-32-chars-long", { tenantId: "acme" });
    await rejects(auth, `Bearer ${other}`);

    const expired = await hs({ tenantId: "acme" }, Math.floor(Date.now() / 1000) - 60);
    expect((await rejects(auth, `Bearer ${expired}`)).message).toBe("token expired");
    // Within the 5 s clock tolerance still passes.
    const justExpired = await hs({ tenantId: "acme" }, Math.floor(Date.now() / 1000) - 2);
    expect((await auth.verify(`Bearer ${justExpired}`)).tenantId).toBe("acme");

    const exp = Math.floor(Date.now() / 1000) + 3600;
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ tenantId: "acme", exp })}.`;
    await rejects(auth, `Bearer ${none}`);
    // alg none with a forged signature part, and an HS256 body with the signature stripped.
    await rejects(auth, `Bearer ${none}AAAA`);
    const good = await signToken(SECRET, { tenantId: "acme" });
    await rejects(auth, `Bearer ${good.slice(0, good.lastIndexOf(".") + 1)}`);
  });

  it("refuses a token without exp", async () => {
    const noExp = await new SignJWT({ tenantId: "acme" }).setProtectedHeader({ alg: "HS256" }).sign(key);
    await rejects(auth, `Bearer ${noExp}`);
  });

  it("refuses missing or invalid tenantId and bad permissions", async () => {
    await rejects(auth, `Bearer ${await hs({ sub: "u1" })}`);
    await rejects(auth, `Bearer ${await hs({ tenantId: "" })}`);
    await rejects(auth, `Bearer ${await hs({ tenantId: 42 })}`);
    await rejects(auth, `Bearer ${await hs({ tenantId: "t".repeat(65) })}`);
    expect((await auth.verify(`Bearer ${await hs({ tenantId: "t".repeat(64) })}`)).tenantId).toHaveLength(64);
    await rejects(auth, `Bearer ${await hs({ tenantId: "acme", permissions: "tool:data:query" })}`);
    await rejects(auth, `Bearer ${await hs({ tenantId: "acme", permissions: ["ok", 1] })}`);
    await rejects(auth, `Bearer ${await hs({ tenantId: "acme", permissions: null })}`);
    expect((await auth.verify(`Bearer ${await hs({ tenantId: "acme", permissions: [] })}`)).permissions).toEqual([]);
  });

  it("checks issuer and audience when configured", async () => {
    const strict = new Authenticator({ secret: SECRET, issuer: "https://idp.example", audience: "tenantbox" });
    const make = (iss?: string, aud?: string) => {
      const jwt = new SignJWT({ tenantId: "acme" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h");
      if (iss) jwt.setIssuer(iss);
      if (aud) jwt.setAudience(aud);
      return jwt.sign(key);
    };
    expect((await strict.verify(`Bearer ${await make("https://idp.example", "tenantbox")}`)).tenantId).toBe("acme");
    expect((await rejects(strict, `Bearer ${await make("https://evil.example", "tenantbox")}`)).message).toMatch(/issuer/);
    expect((await rejects(strict, `Bearer ${await make("https://idp.example", "other")}`)).message).toMatch(/audience/);
    await rejects(strict, `Bearer ${await make(undefined, "tenantbox")}`);
    await rejects(strict, `Bearer ${await make("https://idp.example")}`);
  });

  it("validates its options", () => {
    expect(() => new Authenticator({})).toThrow(TypeError);
    expect(() => new Authenticator({ secret: "short" })).toThrow(TypeError);
    expect(() => new Authenticator({ jwksUrl: "not a url" })).toThrow(TypeError);
  });
});

describe("Authenticator with a JWKS URL", () => {
  let server: http.Server;
  let jwksUrl: string;
  let signer: CryptoKey;
  let stranger: CryptoKey;
  let ecSigner: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair("RS256");
    const ec = await generateKeyPair("ES256");
    stranger = (await generateKeyPair("RS256")).privateKey;
    signer = rsa.privateKey;
    ecSigner = ec.privateKey;
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    const body = JSON.stringify({ keys });
    server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const signWith = (k: CryptoKey, alg: string, kid: string, claims: Record<string, unknown> = { tenantId: "acme" }) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).setSubject("u9").setExpirationTime("1h").sign(k);

  it("verifies RS256 and ES256 tokens against the served key set", async () => {
    const auth = new Authenticator({ jwksUrl });
    expect(await auth.verify(`Bearer ${await signWith(signer, "RS256", "rsa-1")}`)).toEqual({
      tenantId: "acme",
      user: "u9",
      permissions: null,
    });
    expect((await auth.verify(`Bearer ${await signWith(ecSigner, "ES256", "ec-1")}`)).tenantId).toBe("acme");
  });

  it("refuses a token signed by another key, and HS256 when no secret is configured", async () => {
    const auth = new Authenticator({ jwksUrl });
    await rejects(auth, `Bearer ${await signWith(stranger, "RS256", "rsa-1")}`);
    await rejects(auth, `Bearer ${await signWith(stranger, "RS256", "unknown-kid")}`);
    await rejects(auth, `Bearer ${await signToken(SECRET, { tenantId: "acme" })}`);
  });

  it("with both configured, picks the key by the header's alg", async () => {
    const auth = new Authenticator({ secret: SECRET, jwksUrl });
    expect((await auth.verify(`Bearer ${await signToken(SECRET, { tenantId: "a" })}`)).tenantId).toBe("a");
    expect((await auth.verify(`Bearer ${await signWith(signer, "RS256", "rsa-1")}`)).tenantId).toBe("acme");
    // An RS256 header never falls back to the shared secret.
    await rejects(auth, `Bearer ${await signWith(stranger, "RS256", "rsa-1")}`);
  });

  it("answers UNAVAILABLE, not 401, when the key server is down", async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const auth = new Authenticator({ jwksUrl: `http://127.0.0.1:${port}/jwks` });
    const err = await rejects(auth, `Bearer ${await signWith(signer, "RS256", "rsa-1")}`, "UNAVAILABLE");
    expect(err.status).toBe(503);
  });
});
