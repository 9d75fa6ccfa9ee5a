import { SignJWT, jwtVerify, importSPKI, importPKCS8, importJWK, createLocalJWKSet, decodeProtectedHeader } from "jose";

// Keys and tokens made once with Node's crypto and jose on the host (a test key pair, used nowhere else).
const RSA_PUBLIC = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyJpggrABlvOBCcdFmgPd\ni+JEUKBfczrTpXzGxRwAOGscpmNusZNO1/TkmC64ZbwaJE4Y6PHoSf0sfcj/QUmd\nVJ2gAU/uKuvX7MBKBIB29yF/0jKJx9Ged9xVTMIx1R5JvTeFaV3ta9sZMqIUccWs\n7YeAoAx8+8+nofN1Cz3hWRtZP5ySBiJ0T2bDHZShneEB/KSUPIiMcFUcB40IVICQ\n+1qLeyj7lt0zNENNM+DJRGjTuMPXIVxmf0WvTw5+yo3O3fU1A3X5Q3B3D+E3gaL2\nf7jfloIdSPZ3b0L0khbgZWqohEJ3QPcNNjlRKT90HTobSdDOjxBo5SjwduNMZ6sw\nRwIDAQAB\n-----END PUBLIC KEY-----\n";
const RSA_PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDImmCCsAGW84EJ\nx0WaA92L4kRQoF9zOtOlfMbFHAA4axymY26xk07X9OSYLrhlvBokThjo8ehJ/Sx9\nyP9BSZ1UnaABT+4q69fswEoEgHb3IX/SMonH0Z533FVMwjHVHkm9N4VpXe1r2xky\nohRxxazth4CgDHz7z6eh83ULPeFZG1k/nJIGInRPZsMdlKGd4QH8pJQ8iIxwVRwH\njQhUgJD7Wot7KPuW3TM0Q00z4MlEaNO4w9chXGZ/Ra9PDn7Kjc7d9TUDdflDcHcP\n4TeBovZ/uN+Wgh1I9ndvQvSSFuBlaqiEQndA9w02OVEpP3QdOhtJ0M6PEGjlKPB2\n40xnqzBHAgMBAAECggEAMzXp3mMFPN5z+iWTeKJ0++Fq9DREubtyTWRhr+8ahUye\n10E6AH4tGgdsFgeTTnFrMQp45HrhBIZrxb66nxWmYvQMZVlc4Tss98UNAEI1XJiC\nM4xwTQEP1eR7KCnJI/Fj/LiAR+pREoAv2hOzaWn/3/GAHhuiCnyz/C2VGyYUcbUM\nSnK84a1cK+YkekXZObcp++dVaR/tWgoxKndmN76i+HUlCLSKLhkTSfa7AQ3AMc3c\nV8X3c2ROehs4hBtWwydJvO2PLKBbbDEXP3eUpJZfzjqSUI14LW9txu5FDzVWiKUK\nAf649ke3Lt8pQI5Da0D94skw7n12e2nITDbMjVxMrQKBgQDtfKcbEqPQbX8/rGJl\n0RXN1OGts271wzAmSt9iRxxJEK54xaqPG998ZSt+yetUCN5QpTOb/YNv9ERLGTPn\namCSMLlbEJZ1c2S8mIJKI359Ar6UbJ+SxBc1l41VZ0hU/bwohFMZDcuCM0PjZMnN\nFyaTYpcvOmZiBDTqBdapl6KiXQKBgQDYPakJattwE1qJMmEGeT/1PhqqHl4X4b/5\nptmRh+t9CLb1zJz1nflLMZKN+bI8MCnjnGI9PwLeMTDctiSbLZ7AiH2XnUTa9BCp\n/F2SRLA3WKlm8P9lYFiWHAt2dUurAqNENYJkX7uRZgesff8VEjQ6UiZqckI4/iEC\nDswwqWo68wKBgQColuEZ+vWHtPOsg/emR/Oulv1Ojh6rINFBnc1OuyR9SfZRjiEy\nTpssd7WU4ErK8TDBF0W36xQvmbwRg+aw1XeQ0D4FQ5VL84sDx1BWyTO2Ewiv3Ry6\n17GSPe/7PMLAcw/rw2QqWPyrhTEgcCBCE7kyz757rH2Z/1qA93wYEKlHkQKBgQDA\n5miHtSJiHXGzWBTDsKBEhw1EWui3RzR5YcVOlMCW/pIwPUJ7vVvpHyTMsEW2eYS0\nvgnI9w/45ErhaT7Ii27F9DyNZsdIx1aiPTW/yLSl+trLsQs0BTmhVw1GtCY3PJgm\nvdE+90Oc1jbcQl2uD1o1+Ji6dojqzJDnhAnVExxnzwKBgQDUuMCJ68d+jXbpjVgc\nsGG29B6CyQjbimKR23VlsjDnvveg6j/cALbbu8gKfWAEz142UQYtcyZQbTsQy6ph\nwHWL2fktQS5JpIbJvXoU3kNoxObVI+etVJd3lMf0EybZ6km8+yj9cBWvSQ04sTBm\ngaYUw9QcHsN9ATy8+HljiGWm8A==\n-----END PRIVATE KEY-----\n";
const EC_PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI9iICGgB9uATWYQ/\n1EPhvXO6NHFpuqqbZJfF92MiSquhRANCAATR0pA7nJnKUOaTS9hdPXn0AT8nsXqr\nePcO4H3wsEzpGg/MXMJRTBhlefaWbbgeD1UzjUfb23k4lscrvQtOkf/5\n-----END PRIVATE KEY-----\n";
const EC_PUBLIC_JWK = {"kty": "EC", "x": "0dKQO5yZylDmk0vYXT159AE_J7F6q3j3DuB98LBM6Ro", "y": "D8xcwlFMGGV59pZtuB4PVTONR9vbeTiWxyu9C06R__k", "crv": "P-256"};
const RS256_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMH0.LXFE7gMao21X_ZkdDVi6cMGwyALEy1c04fDZCQgWoDvyTJUX5yJ81raF2ltKyqRAYX1_wvT3LnoW_5AvrnYBlMAharaaAtI3Wzga1LuTujm3hVrzkyLI-BP9ZYBp2QYS8G3gfFPtaadses9z9TV2vmG4HId5DwND0n4uNS4iUYB6E7cVrjgSRxjiZe_WJuL13BEPKKAcGtETs0VY55QzD82acfq1SVNWKdlgHsUmw2aODB3GFV-shR4XuKTVF3p-h5JFAXNY8y7uPjUy4xQzXqEACYNB1mPCZvZlmHdJ7J538qdO8ysg6188iyaC5Uvc1dX59mC50ZMWEnZ-VXt9jg";
const ES256_TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLTEifQ.eyJzdWIiOiJ1MiIsImlhdCI6MTcwMDAwMDAwMH0.bRelwkbmwZHisOVhjXlKTU9zdZQKNgbdQwb5k0mhAqvPa-P9iECBKWzwU5glPmPSQC-5I68OoRr96ofv_i7Kqw";

export async function check() {
  const rsaPrivate = await importPKCS8(RSA_PRIVATE, "RS256");
  const rsaPublic = await importSPKI(RSA_PUBLIC, "RS256");
  // RS256 is deterministic: the realm signs exactly what the host did.
  const signed = await new SignJWT({ sub: "u1", role: "admin" }).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).setIssuedAt(1700000000).sign(rsaPrivate);
  const rs = await jwtVerify(RS256_TOKEN, rsaPublic);
  // ES256 is not: a token signed here, checked through a JWKS, and the host's.
  const jwks = createLocalJWKSet({ keys: [{ ...EC_PUBLIC_JWK, kid: "ec-1", alg: "ES256" }] });
  const es = await new SignJWT({ sub: "u3" }).setProtectedHeader({ alg: "ES256", kid: "ec-1" }).sign(await importPKCS8(EC_PRIVATE, "ES256"));
  const mine = await jwtVerify(es, jwks);
  const host = await jwtVerify(ES256_TOKEN, await importJWK(EC_PUBLIC_JWK, "ES256"));
  let refused;
  try {
    const [header, payload, signature] = RS256_TOKEN.split(".");
    await jwtVerify([header, payload, signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11)].join("."), rsaPublic);
  } catch (error) {
    refused = error.code;
  }
  return [signed === RS256_TOKEN, rs.payload.role, rs.protectedHeader.kid, mine.payload.sub, decodeProtectedHeader(es).alg, host.payload.sub, refused];
}

export const expected = () => [true, "admin", "rsa-1", "u3", "ES256", "u2", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"];
