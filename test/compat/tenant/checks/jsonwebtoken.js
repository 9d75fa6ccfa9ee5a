const jwt = require("jsonwebtoken");
exports.check = () => {
  const token = jwt.sign({ sub: "u1" }, "s3cret", { algorithm: "HS256", expiresIn: "1h" });
  const payload = jwt.verify(token, "s3cret");
  let refused;
  try {
    jwt.verify(token, "wrong");
  } catch (error) {
    refused = error.name + ": " + error.message;
  }
  return [payload.sub, payload.exp - payload.iat, jwt.decode(token, { complete: true }).header.alg, refused];
};
exports.expected = () => (["u1", 3600, "HS256", "JsonWebTokenError: invalid signature"]);
