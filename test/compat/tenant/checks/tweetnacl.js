const nacl = require("tweetnacl");
exports.check = () => {
  const kp = nacl.sign.keyPair(); const msg = new TextEncoder().encode("hello"); const signed = nacl.sign.detached(msg, kp.secretKey);
  const key = nacl.randomBytes(32), nonce = nacl.randomBytes(24); const box = nacl.secretbox(msg, nonce, key);
  const seeded = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1));
  return [signed.length, nacl.sign.detached.verify(msg, signed, kp.publicKey), new TextDecoder().decode(nacl.secretbox.open(box, nonce, key)), Buffer.from(seeded.publicKey).toString("hex"), Buffer.from(nacl.hash(msg)).toString("hex").slice(0, 16)];
};
exports.expected = () => ([64,true,"hello","8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c","9b71d224bd62f378"]);
