import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installCompatFolder } from "./compat-folder.js";
import { IsolatedRuntime, writeFiles } from "./helpers.js";

/*
 * Asymmetric cryptography in the realm (sandbox/crypto-keys.ts, subtle-keys.ts, builtins/crypto.cjs; the work is
 * the sandbox process's op "key"): jose and jsonwebtoken from the compat suite's tenant folder, Node's crypto and
 * crypto.subtle, with keys made on the host by Node's crypto and passed in as PEM or JWK. Its hostile side is
 * test/hostile/cases/crypto-keys.ts.
 */
let folder: string;
let runtime: InstanceType<typeof IsolatedRuntime>;

const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
const ec384 = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = crypto.generateKeyPairSync("ed25519");
const pem = (key: crypto.KeyObject) => key.export({ type: key.type === "public" ? "spki" : "pkcs8", format: "pem" }) as string;
const jwk = (key: crypto.KeyObject) => key.export({ format: "jwk" });

const MODULES: Record<string, string> = {
  "asymmetric/jose.mjs": `
import * as jose from "jose";
export async function sign(alg, privatePem, claims) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt(1700000000).sign(await jose.importPKCS8(privatePem, alg));
}
export async function signJwk(alg, privateJwk, claims) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg }).sign(await jose.importJWK(privateJwk, alg));
}
export async function verify(alg, publicPem, token) {
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, await jose.importSPKI(publicPem, alg));
    return { payload, alg: protectedHeader.alg };
  } catch (error) {
    return { error: error.code, name: error.name };
  }
}
export async function verifyJwks(jwks, token) {
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks));
    return { payload, kid: protectedHeader.kid };
  } catch (error) {
    return { error: error.code };
  }
}
export async function roundTrip(alg, publicPem, privatePem) {
  const token = await sign(alg, privatePem, { sub: "round" });
  return verify(alg, publicPem, token);
}
export async function generated(alg) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg);
  const token = await new jose.SignJWT({ sub: "g" }).setProtectedHeader({ alg }).sign(privateKey);
  return [(await jose.jwtVerify(token, publicKey)).payload.sub, await jose.exportJWK(publicKey)];
}
export async function exported(publicPem, privatePem, alg) {
  const publicKey = await jose.importSPKI(publicPem, alg, { extractable: true });
  const privateKey = await jose.importPKCS8(privatePem, alg, { extractable: true });
  return { spki: await jose.exportSPKI(publicKey), pkcs8: await jose.exportPKCS8(privateKey), jwk: await jose.exportJWK(publicKey) };
}
`,
  "asymmetric/jwt.js": `
const jwt = require("jsonwebtoken");
exports.sign = (alg, privatePem, claims) => jwt.sign(claims, privatePem, { algorithm: alg, noTimestamp: true });
exports.verify = (alg, publicPem, token) => {
  try {
    return { payload: jwt.verify(token, publicPem, { algorithms: [alg] }) };
  } catch (error) {
    return { error: error.name + ": " + error.message };
  }
};
`,
  "asymmetric/node.js": `
const crypto = require("crypto");
exports.signVerify = (privatePem, publicPem, alg, options) => {
  const signature = crypto.createSign(alg).update("hello ").update("world").sign({ key: privatePem, ...options }, "base64");
  const ok = crypto.createVerify(alg).update("hello world").verify({ key: publicPem, ...options }, signature, "base64");
  const bad = crypto.createVerify(alg).update("hello World").verify({ key: publicPem, ...options }, signature, "base64");
  return [signature, ok, bad];
};
exports.oneShot = (alg, privatePem, data) => crypto.sign(alg, Buffer.from(data), crypto.createPrivateKey(privatePem)).toString("hex");
exports.verifyOneShot = (alg, publicKey, data, signature) => crypto.verify(alg, Buffer.from(data), publicKey, Buffer.from(signature, "hex"));
exports.describe = (input) => {
  const key = typeof input === "string" && input.includes("PRIVATE") ? crypto.createPrivateKey(input) : crypto.createPublicKey(input);
  const details = key.asymmetricKeyDetails;
  const exported = key.type === "public"
    ? { pem: key.export({ type: "spki", format: "pem" }), der: key.export({ type: "spki", format: "der" }).toString("base64"), jwk: key.export({ format: "jwk" }) }
    : { pem: key.export({ type: "pkcs8", format: "pem" }), der: key.export({ type: "pkcs8", format: "der" }).toString("base64"), jwk: key.export({ format: "jwk" }) };
  const pub = key.type === "private" ? crypto.createPublicKey(key) : key;
  return {
    type: key.type,
    asymmetricKeyType: key.asymmetricKeyType,
    details: { ...details, publicExponent: details.publicExponent === undefined ? undefined : String(details.publicExponent) },
    tag: Object.prototype.toString.call(key),
    isKeyObject: key instanceof crypto.KeyObject,
    symmetricKeySize: key.symmetricKeySize,
    exported,
    publicPem: pub.export({ type: "spki", format: "pem" }),
    equals: pub.equals(crypto.createPublicKey(pub.export({ type: "spki", format: "pem" }))),
  };
};
exports.generate = (type, options) => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync(type, options);
  const signature = crypto.sign(type === "ed25519" ? null : "sha256", Buffer.from("x"), privateKey);
  return [publicKey.export({ type: "spki", format: "pem" }), crypto.verify(type === "ed25519" ? null : "sha256", Buffer.from("x"), publicKey, signature), signature.toString("hex")];
};
exports.refused = (fn) => {
  try {
    return { value: fn() };
  } catch (error) {
    return { name: error.name, code: error.code, message: error.message };
  }
};
exports.bigRsa = () => exports.refused(() => crypto.generateKeyPairSync("rsa", { modulusLength: 4096 }));
exports.encrypted = (pem) => exports.refused(() => crypto.createPrivateKey({ key: pem, passphrase: "pw" }));
exports.notPem = () => exports.refused(() => crypto.createPublicKey("not a key"));
exports.badDigest = () => exports.refused(() => crypto.createSign("whirlpool-9"));
exports.publicCannotSign = (pem) => exports.refused(() => crypto.sign("sha256", Buffer.from("x"), crypto.createPublicKey(pem)));
`,
  "asymmetric/subtle.mjs": `
import { Buffer } from "buffer";
const der = (pem) => Buffer.from(pem.replace(/-----[^-]+-----|\\s/g, ""), "base64");
export async function rsa(publicPem, privatePem) {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const privateKey = await crypto.subtle.importKey("pkcs8", der(privatePem), algorithm, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("spki", der(publicPem), algorithm, true, ["verify"]);
  const data = new TextEncoder().encode("data");
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, data);
  let notExtractable;
  try {
    await crypto.subtle.exportKey("pkcs8", privateKey);
  } catch (error) {
    notExtractable = error.name;
  }
  let wrongUsage;
  try {
    await crypto.subtle.sign("RSASSA-PKCS1-v1_5", publicKey, data);
  } catch (error) {
    wrongUsage = error.name;
  }
  return {
    signature: Buffer.from(signature).toString("base64"),
    verified: await crypto.subtle.verify(algorithm, publicKey, signature, data),
    tampered: await crypto.subtle.verify(algorithm, publicKey, signature, new TextEncoder().encode("Data")),
    algorithm: { ...publicKey.algorithm, publicExponent: Array.from(publicKey.algorithm.publicExponent), hash: publicKey.algorithm.hash.name },
    type: [publicKey.type, privateKey.type, String(publicKey), publicKey instanceof CryptoKey],
    usages: [publicKey.usages, privateKey.usages],
    spki: Buffer.from(await crypto.subtle.exportKey("spki", publicKey)).toString("base64"),
    jwk: await crypto.subtle.exportKey("jwk", publicKey),
    notExtractable,
    wrongUsage,
  };
}
export async function ecdsa(publicJwk, signatureHex) {
  const key = await crypto.subtle.importKey("jwk", publicJwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  const raw = await crypto.subtle.exportKey("raw", key);
  const again = await crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  const data = new TextEncoder().encode("p1363");
  return [await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, again, Buffer.from(signatureHex, "hex"), data), raw.byteLength];
}
export async function ed25519(publicHex, signatureHex) {
  const key = await crypto.subtle.importKey("raw", Buffer.from(publicHex, "hex"), "Ed25519", false, ["verify"]);
  const generated = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  const data = new TextEncoder().encode("ed");
  const own = await crypto.subtle.sign("Ed25519", generated.privateKey, data);
  return [await crypto.subtle.verify("Ed25519", key, Buffer.from(signatureHex, "hex"), data), await crypto.subtle.verify("Ed25519", generated.publicKey, own, data), (await crypto.subtle.exportKey("jwk", generated.privateKey)).crv];
}
export async function pss(publicPem, privatePem) {
  const algorithm = { name: "RSA-PSS", hash: "SHA-256" };
  const privateKey = await crypto.subtle.importKey("pkcs8", der(privatePem), algorithm, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("spki", der(publicPem), algorithm, false, ["verify"]);
  const data = new TextEncoder().encode("pss");
  const signature = await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, privateKey, data);
  return [Buffer.from(signature).toString("hex"), await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, publicKey, signature, data)];
}
export async function unsupported() {
  try {
    await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
  } catch (error) {
    return error.name;
  }
}
`,
};

beforeAll(() => {
  folder = installCompatFolder();
  fs.rmSync(path.join(folder, "asymmetric"), { recursive: true, force: true });
  writeFiles(folder, MODULES);
  runtime = new IsolatedRuntime({ timeout: 10_000 });
}, 300_000);

afterAll(async () => {
  await runtime?.close();
});

const call = (file: string, funcName: string, ...args: unknown[]) => runtime.run({ folder, file: `asymmetric/${file}`, funcName, args });

describe("jose in a tenant folder", () => {
  it("RS256, PS256, ES256, ES384 and EdDSA: tokens signed in the realm verify on the host, and the host's verify in the realm", async () => {
    const cases: [string, crypto.KeyObject, crypto.KeyObject][] = [
      ["RS256", rsa.publicKey, rsa.privateKey],
      ["RS512", rsa.publicKey, rsa.privateKey],
      ["PS256", rsa.publicKey, rsa.privateKey],
      ["ES256", ec.publicKey, ec.privateKey],
      ["ES384", ec384.publicKey, ec384.privateKey],
      ["EdDSA", ed.publicKey, ed.privateKey],
    ];
    for (const [alg, publicKey, privateKey] of cases) {
      const token = (await call("jose.mjs", "sign", alg, pem(privateKey), { sub: "realm-" + alg })) as string;
      const onHost = await jose.jwtVerify(token, publicKey);
      expect(onHost.payload.sub, alg).toBe("realm-" + alg);
      const hostToken = await new jose.SignJWT({ sub: "host-" + alg }).setProtectedHeader({ alg }).sign(privateKey);
      await expect(call("jose.mjs", "verify", alg, pem(publicKey), hostToken), alg).resolves.toEqual({ payload: { sub: "host-" + alg }, alg });
      // A changed signature (or payload) is refused with jose's own error.
      const [header, payload, signature] = hostToken.split(".") as [string, string, string];
      const flipped = signature.slice(0, 5) + (signature[5] === "A" ? "B" : "A") + signature.slice(6);
      await expect(call("jose.mjs", "verify", alg, pem(publicKey), [header, payload, flipped].join(".")), alg).resolves.toEqual({
        error: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        name: "JWSSignatureVerificationFailed",
      });
      const forged = Buffer.from(JSON.stringify({ sub: "admin" })).toString("base64url");
      await expect(call("jose.mjs", "verify", alg, pem(publicKey), [header, forged, signature].join("."))).resolves.toMatchObject({ error: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    }
  });

  it("RS256 is deterministic: the realm's token is the host's, byte for byte", async () => {
    const hostToken = await new jose.SignJWT({ sub: "same" }).setProtectedHeader({ alg: "RS256" }).setIssuedAt(1700000000).sign(rsa.privateKey);
    await expect(call("jose.mjs", "sign", "RS256", pem(rsa.privateKey), { sub: "same" })).resolves.toBe(hostToken);
  });

  it("importJWK (private JWK in args) and createLocalJWKSet with a JWKS object: kid chosen, unknown kid refused", async () => {
    const token = (await call("jose.mjs", "signJwk", "ES256", jwk(ec.privateKey), { sub: "jwk" })) as string;
    expect((await jose.jwtVerify(token, ec.publicKey)).payload.sub).toBe("jwk");
    const jwks = {
      keys: [
        { ...jwk(rsa.publicKey), kid: "r", alg: "RS256", use: "sig" },
        { ...jwk(ec.publicKey), kid: "e", alg: "ES256" },
        { ...jwk(ed.publicKey), kid: "d", alg: "EdDSA" },
      ],
    };
    for (const [kid, alg, key] of [["r", "RS256", rsa.privateKey], ["e", "ES256", ec.privateKey], ["d", "EdDSA", ed.privateKey]] as const) {
      const hostToken = await new jose.SignJWT({ sub: kid }).setProtectedHeader({ alg, kid }).sign(key);
      await expect(call("jose.mjs", "verifyJwks", jwks, hostToken)).resolves.toEqual({ payload: { sub: kid }, kid });
    }
    const unknown = await new jose.SignJWT({}).setProtectedHeader({ alg: "ES256", kid: "nope" }).sign(ec.privateKey);
    await expect(call("jose.mjs", "verifyJwks", jwks, unknown)).resolves.toEqual({ error: "ERR_JWKS_NO_MATCHING_KEY" });
  });

  it("generateKeyPair and exports (SPKI, PKCS#8, JWK) equal Node's own", async () => {
    const [sub, exportedJwk] = (await call("jose.mjs", "generated", "ES256")) as [string, { kty: string; crv: string }];
    expect([sub, exportedJwk.kty, exportedJwk.crv]).toEqual(["g", "EC", "P-256"]);
    await expect(call("jose.mjs", "generated", "EdDSA")).resolves.toMatchObject(["g", { kty: "OKP", crv: "Ed25519" }]);
    await expect(call("jose.mjs", "generated", "RS256")).resolves.toMatchObject(["g", { kty: "RSA", e: "AQAB" }]);
    const out = (await call("jose.mjs", "exported", pem(rsa.publicKey), pem(rsa.privateKey), "RS256")) as { spki: string; pkcs8: string; jwk: unknown };
    expect(out.spki.trim()).toBe(pem(rsa.publicKey).trim());
    expect(out.pkcs8.trim()).toBe(pem(rsa.privateKey).trim());
    expect(out.jwk).toEqual(jwk(rsa.publicKey));
  });
});

describe("jsonwebtoken in a tenant folder", () => {
  it("RS256 and ES256 with PEM keys: realm-signed tokens verify on the host, host-signed ones in the realm, tampered ones are refused", async () => {
    for (const [alg, publicKey, privateKey] of [["RS256", rsa.publicKey, rsa.privateKey], ["ES256", ec.publicKey, ec.privateKey], ["PS256", rsa.publicKey, rsa.privateKey]] as const) {
      const token = (await call("jwt.js", "sign", alg, pem(privateKey), { sub: "realm" })) as string;
      expect((await jose.jwtVerify(token, publicKey)).payload.sub, alg).toBe("realm");
      const hostToken = await new jose.SignJWT({ sub: "host" }).setProtectedHeader({ alg, typ: "JWT" }).sign(privateKey);
      await expect(call("jwt.js", "verify", alg, pem(publicKey), hostToken)).resolves.toEqual({ payload: { sub: "host" } });
      const tampered = hostToken.slice(0, hostToken.lastIndexOf(".") + 1) + token.slice(token.lastIndexOf(".") + 1);
      await expect(call("jwt.js", "verify", alg, pem(publicKey), tampered)).resolves.toEqual({ error: "JsonWebTokenError: invalid signature" });
    }
    // The wrong kind of key for the algorithm: jsonwebtoken's own check, on the realm's KeyObject facts.
    const hostToken = await new jose.SignJWT({ sub: "host" }).setProtectedHeader({ alg: "ES256" }).sign(ec.privateKey);
    await expect(call("jwt.js", "verify", "ES256", pem(rsa.publicKey), hostToken)).resolves.toEqual({ error: 'Error: "alg" parameter for "rsa" key type must be one of: RS256, PS256, RS384, PS384, RS512, PS512.' });
  });
});

describe("Node's crypto: keys and signatures", () => {
  it("createSign/createVerify: the realm's RSA signature is Node's, PSS and ECDSA (der, ieee-p1363) verify on the host", async () => {
    const [signature, ok, bad] = (await call("node.js", "signVerify", pem(rsa.privateKey), pem(rsa.publicKey), "RSA-SHA256", {})) as [string, boolean, boolean];
    expect(signature).toBe(crypto.sign("sha256", Buffer.from("hello world"), rsa.privateKey).toString("base64"));
    expect([ok, bad]).toEqual([true, false]);
    const pss = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
    const [pssSignature, pssOk] = (await call("node.js", "signVerify", pem(rsa.privateKey), pem(rsa.publicKey), "sha384", pss)) as [string, boolean];
    expect(pssOk).toBe(true);
    expect(crypto.verify("sha384", Buffer.from("hello world"), { key: rsa.publicKey, ...pss }, Buffer.from(pssSignature, "base64"))).toBe(true);
    for (const dsaEncoding of ["der", "ieee-p1363"] as const) {
      const [ecSignature, ecOk] = (await call("node.js", "signVerify", pem(ec.privateKey), pem(ec.publicKey), "sha256", { dsaEncoding })) as [string, boolean];
      expect(ecOk).toBe(true);
      expect(Buffer.from(ecSignature, "base64").length === 64).toBe(dsaEncoding === "ieee-p1363");
      expect(crypto.verify("sha256", Buffer.from("hello world"), { key: ec.publicKey, dsaEncoding }, Buffer.from(ecSignature, "base64"))).toBe(true);
    }
    const edSignature = (await call("node.js", "oneShot", null, pem(ed.privateKey), "ed")) as string;
    expect(edSignature).toBe(crypto.sign(null, Buffer.from("ed"), ed.privateKey).toString("hex"));
    await expect(call("node.js", "verifyOneShot", null, { key: jwk(ed.publicKey), format: "jwk" }, "ed", edSignature)).resolves.toBe(true);
    await expect(call("node.js", "verifyOneShot", null, pem(ed.publicKey), "Ed", edSignature)).resolves.toBe(false);
  });

  it("KeyObject: type, asymmetricKeyType, asymmetricKeyDetails and exports (PEM, DER, JWK) as Node has them", async () => {
    for (const key of [rsa.publicKey, rsa.privateKey, ec.publicKey, ec384.privateKey, ed.publicKey]) {
      const found = (await call("node.js", "describe", pem(key))) as Record<string, unknown>;
      const details = key.asymmetricKeyDetails!;
      const exportType = key.type === "public" ? "spki" : "pkcs8";
      expect(found).toEqual({
        type: key.type,
        asymmetricKeyType: key.asymmetricKeyType,
        details: { ...details, publicExponent: details.publicExponent === undefined ? undefined : String(details.publicExponent) },
        tag: "[object KeyObject]",
        isKeyObject: true,
        exported: {
          pem: key.export({ type: exportType, format: "pem" }),
          der: (key.export({ type: exportType, format: "der" }) as Buffer).toString("base64"),
          jwk: key.export({ format: "jwk" }),
        },
        publicPem: pem(key.type === "private" ? crypto.createPublicKey(key) : key),
        equals: true,
      });
    }
  });

  it("generateKeyPairSync: EC, Ed25519 and RSA up to 2048 bits (larger RSA is refused: generation runs on the sandbox's thread)", async () => {
    const [publicPem, ok, signature] = (await call("node.js", "generate", "ec", { namedCurve: "P-256" })) as [string, boolean, string];
    expect(ok).toBe(true);
    expect(crypto.verify("sha256", Buffer.from("x"), publicPem, Buffer.from(signature, "hex"))).toBe(true);
    await expect(call("node.js", "generate", "ed25519", {})).resolves.toEqual([expect.stringContaining("PUBLIC KEY"), true, expect.any(String)]);
    await expect(call("node.js", "generate", "rsa", { modulusLength: 1024 })).resolves.toEqual([expect.stringContaining("PUBLIC KEY"), true, expect.any(String)]);
    await expect(call("node.js", "bigRsa")).resolves.toMatchObject({ name: "Error", code: "ERR_OUT_OF_RANGE" });
  });

  it("errors are Node's kind: encrypted keys, non-keys, unknown digests, a public key to sign", async () => {
    const encrypted = rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-128-cbc", passphrase: "pw" }) as string;
    await expect(call("node.js", "encrypted", encrypted)).resolves.toMatchObject({ code: "ERR_MISSING_PASSPHRASE" });
    await expect(call("node.js", "notPem")).resolves.toMatchObject({ name: "Error", code: expect.stringMatching(/^ERR_OSSL/) });
    await expect(call("node.js", "badDigest")).resolves.toMatchObject({ name: "TypeError", code: "ERR_CRYPTO_INVALID_DIGEST" });
    await expect(call("node.js", "publicCannotSign", pem(rsa.publicKey))).resolves.toMatchObject({ name: "TypeError", code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
  });
});

describe("crypto.subtle: RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA, Ed25519", () => {
  it("imports, signs, verifies and exports as Node's Web Crypto does; usages and extractable are enforced", async () => {
    const out = (await call("subtle.mjs", "rsa", pem(rsa.publicKey), pem(rsa.privateKey))) as Record<string, unknown>;
    expect(out.signature).toBe(crypto.sign("sha256", Buffer.from("data"), rsa.privateKey).toString("base64"));
    expect(out).toMatchObject({
      verified: true,
      tampered: false,
      algorithm: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: [1, 0, 1], hash: "SHA-256" },
      type: ["public", "private", "[object CryptoKey]", true],
      usages: [["verify"], ["sign"]],
      spki: (rsa.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64"),
      jwk: { ...jwk(rsa.publicKey), alg: "RS256", ext: true, key_ops: ["verify"] },
      notExtractable: "InvalidAccessError",
      wrongUsage: "InvalidAccessError",
    });
    const p1363 = crypto.sign("sha256", Buffer.from("p1363"), { key: ec.privateKey, dsaEncoding: "ieee-p1363" }).toString("hex");
    await expect(call("subtle.mjs", "ecdsa", jwk(ec.publicKey), p1363)).resolves.toEqual([true, 65]);
    const edRaw = Buffer.from(jwk(ed.publicKey).x!, "base64url").toString("hex");
    await expect(call("subtle.mjs", "ed25519", edRaw, crypto.sign(null, Buffer.from("ed"), ed.privateKey).toString("hex"))).resolves.toEqual([true, true, "Ed25519"]);
    const [pssSignature, pssOk] = (await call("subtle.mjs", "pss", pem(rsa.publicKey), pem(rsa.privateKey))) as [string, boolean];
    expect(pssOk).toBe(true);
    const pss = { key: rsa.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(crypto.verify("sha256", Buffer.from("pss"), pss, Buffer.from(pssSignature, "hex"))).toBe(true);
    await expect(call("subtle.mjs", "unsupported")).resolves.toBe("NotSupportedError");
  });
});
