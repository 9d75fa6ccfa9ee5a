const jwt = require("jsonwebtoken");

// A test key pair made once with Node's crypto on the host (used nowhere else), and tokens signed there.
const RSA_PUBLIC = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyJpggrABlvOBCcdFmgPd\ni+JEUKBfczrTpXzGxRwAOGscpmNusZNO1/TkmC64ZbwaJE4Y6PHoSf0sfcj/QUmd\nVJ2gAU/uKuvX7MBKBIB29yF/0jKJx9Ged9xVTMIx1R5JvTeFaV3ta9sZMqIUccWs\n7YeAoAx8+8+nofN1Cz3hWRtZP5ySBiJ0T2bDHZShneEB/KSUPIiMcFUcB40IVICQ\n+1qLeyj7lt0zNENNM+DJRGjTuMPXIVxmf0WvTw5+yo3O3fU1A3X5Q3B3D+E3gaL2\nf7jfloIdSPZ3b0L0khbgZWqohEJ3QPcNNjlRKT90HTobSdDOjxBo5SjwduNMZ6sw\nRwIDAQAB\n-----END PUBLIC KEY-----\n";
const RSA_PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDImmCCsAGW84EJ\nx0WaA92L4kRQoF9zOtOlfMbFHAA4axymY26xk07X9OSYLrhlvBokThjo8ehJ/Sx9\nyP9BSZ1UnaABT+4q69fswEoEgHb3IX/SMonH0Z533FVMwjHVHkm9N4VpXe1r2xky\nohRxxazth4CgDHz7z6eh83ULPeFZG1k/nJIGInRPZsMdlKGd4QH8pJQ8iIxwVRwH\njQhUgJD7Wot7KPuW3TM0Q00z4MlEaNO4w9chXGZ/Ra9PDn7Kjc7d9TUDdflDcHcP\n4TeBovZ/uN+Wgh1I9ndvQvSSFuBlaqiEQndA9w02OVEpP3QdOhtJ0M6PEGjlKPB2\n40xnqzBHAgMBAAECggEAMzXp3mMFPN5z+iWTeKJ0++Fq9DREubtyTWRhr+8ahUye\n10E6AH4tGgdsFgeTTnFrMQp45HrhBIZrxb66nxWmYvQMZVlc4Tss98UNAEI1XJiC\nM4xwTQEP1eR7KCnJI/Fj/LiAR+pREoAv2hOzaWn/3/GAHhuiCnyz/C2VGyYUcbUM\nSnK84a1cK+YkekXZObcp++dVaR/tWgoxKndmN76i+HUlCLSKLhkTSfa7AQ3AMc3c\nV8X3c2ROehs4hBtWwydJvO2PLKBbbDEXP3eUpJZfzjqSUI14LW9txu5FDzVWiKUK\nAf649ke3Lt8pQI5Da0D94skw7n12e2nITDbMjVxMrQKBgQDtfKcbEqPQbX8/rGJl\n0RXN1OGts271wzAmSt9iRxxJEK54xaqPG998ZSt+yetUCN5QpTOb/YNv9ERLGTPn\namCSMLlbEJZ1c2S8mIJKI359Ar6UbJ+SxBc1l41VZ0hU/bwohFMZDcuCM0PjZMnN\nFyaTYpcvOmZiBDTqBdapl6KiXQKBgQDYPakJattwE1qJMmEGeT/1PhqqHl4X4b/5\nptmRh+t9CLb1zJz1nflLMZKN+bI8MCnjnGI9PwLeMTDctiSbLZ7AiH2XnUTa9BCp\n/F2SRLA3WKlm8P9lYFiWHAt2dUurAqNENYJkX7uRZgesff8VEjQ6UiZqckI4/iEC\nDswwqWo68wKBgQColuEZ+vWHtPOsg/emR/Oulv1Ojh6rINFBnc1OuyR9SfZRjiEy\nTpssd7WU4ErK8TDBF0W36xQvmbwRg+aw1XeQ0D4FQ5VL84sDx1BWyTO2Ewiv3Ry6\n17GSPe/7PMLAcw/rw2QqWPyrhTEgcCBCE7kyz757rH2Z/1qA93wYEKlHkQKBgQDA\n5miHtSJiHXGzWBTDsKBEhw1EWui3RzR5YcVOlMCW/pIwPUJ7vVvpHyTMsEW2eYS0\nvgnI9w/45ErhaT7Ii27F9DyNZsdIx1aiPTW/yLSl+trLsQs0BTmhVw1GtCY3PJgm\nvdE+90Oc1jbcQl2uD1o1+Ji6dojqzJDnhAnVExxnzwKBgQDUuMCJ68d+jXbpjVgc\nsGG29B6CyQjbimKR23VlsjDnvveg6j/cALbbu8gKfWAEz142UQYtcyZQbTsQy6ph\nwHWL2fktQS5JpIbJvXoU3kNoxObVI+etVJd3lMf0EybZ6km8+yj9cBWvSQ04sTBm\ngaYUw9QcHsN9ATy8+HljiGWm8A==\n-----END PRIVATE KEY-----\n";
const EC_PRIVATE = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI9iICGgB9uATWYQ/\n1EPhvXO6NHFpuqqbZJfF92MiSquhRANCAATR0pA7nJnKUOaTS9hdPXn0AT8nsXqr\nePcO4H3wsEzpGg/MXMJRTBhlefaWbbgeD1UzjUfb23k4lscrvQtOkf/5\n-----END PRIVATE KEY-----\n";
// The token jsonwebtoken makes below, signed on the host with Node's crypto.sign.
const RS256_JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMH0.t507XnezLsivT5UtVRmSeQQQNrfVg3vXlrs-qDycGCCzjCWc3wenzlgQmp7qrTLBUeTKfc4JIiPcP3YfZisTj3hJ1gX0zuNmQMfvTpUYLD2UvjIHlX7zZov1Zrf8yd4OIYLdyJgE6VF2MT7-F1IiLZtUbQFH-DzMpHQYmuqXqn6f7o0BJnVjNPn3HsKyd9mrwsJA9VisbGd90pi3McynEiC_OKHVw_LsSaYZZC9T6gs5aGgclQCFGTzyYz0ENL0sshMSkHiLiQ_cZA22kX6WNvD3F0HYVs-i7G_WdlujySM-GbBYGJOpGCQ39KWeN-OAe9Rs_Uf_noiMdZm7gYbytQ";
const RS256_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMH0.LXFE7gMao21X_ZkdDVi6cMGwyALEy1c04fDZCQgWoDvyTJUX5yJ81raF2ltKyqRAYX1_wvT3LnoW_5AvrnYBlMAharaaAtI3Wzga1LuTujm3hVrzkyLI-BP9ZYBp2QYS8G3gfFPtaadses9z9TV2vmG4HId5DwND0n4uNS4iUYB6E7cVrjgSRxjiZe_WJuL13BEPKKAcGtETs0VY55QzD82acfq1SVNWKdlgHsUmw2aODB3GFV-shR4XuKTVF3p-h5JFAXNY8y7uPjUy4xQzXqEACYNB1mPCZvZlmHdJ7J538qdO8ysg6188iyaC5Uvc1dX59mC50ZMWEnZ-VXt9jg";

exports.check = () => {
  const token = jwt.sign({ sub: "u1" }, "s3cret", { algorithm: "HS256", expiresIn: "1h" });
  const payload = jwt.verify(token, "s3cret");
  let refused;
  try {
    jwt.verify(token, "wrong");
  } catch (error) {
    refused = error.name + ": " + error.message;
  }
  // RS256 with PEM keys: deterministic, so the realm's token is the host's; ES256 signed and verified here.
  const rs = jwt.sign({ sub: "u1", role: "admin", iat: 1700000000 }, RSA_PRIVATE, { algorithm: "RS256", keyid: "rsa-1" });
  const ecPublic = require("crypto").createPublicKey(EC_PRIVATE).export({ type: "spki", format: "pem" });
  const es = jwt.sign({ sub: "u2" }, EC_PRIVATE, { algorithm: "ES256" });
  let tampered;
  try {
    jwt.verify(RS256_TOKEN.slice(0, -6) + (RS256_TOKEN.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA"), RSA_PUBLIC);
  } catch (error) {
    tampered = error.name + ": " + error.message;
  }
  return [payload.sub, payload.exp - payload.iat, jwt.decode(token, { complete: true }).header.alg, refused, rs === RS256_JWT, jwt.verify(RS256_TOKEN, RSA_PUBLIC).role, jwt.verify(es, ecPublic, { algorithms: ["ES256"] }).sub, tampered];
};
exports.expected = () => ["u1", 3600, "HS256", "JsonWebTokenError: invalid signature", true, "admin", "u2", "JsonWebTokenError: invalid signature"];
