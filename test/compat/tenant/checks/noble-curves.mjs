import { ed25519, x25519 } from "noble-curves/ed25519.js";
import { secp256k1 } from "noble-curves/secp256k1.js";
import { p256 } from "noble-curves/nist.js";
import { bytesToHex } from "noble-hashes/utils.js";
export function check() {
  const msg = new TextEncoder().encode("hello");
  const sk = new Uint8Array(32).fill(7);
  const pk = ed25519.getPublicKey(sk); const sig = ed25519.sign(msg, sk);
  const k1 = secp256k1.utils.randomSecretKey(); const s1 = secp256k1.sign(msg, k1);
  const p = p256.utils.randomSecretKey(); const ps = p256.sign(msg, p);
  const a = x25519.utils.randomSecretKey(), b = x25519.utils.randomSecretKey();
  return [bytesToHex(pk), ed25519.verify(sig, msg, pk), secp256k1.verify(s1, msg, secp256k1.getPublicKey(k1)), p256.verify(ps, msg, p256.getPublicKey(p)), bytesToHex(x25519.getSharedSecret(a, x25519.getPublicKey(b))) === bytesToHex(x25519.getSharedSecret(b, x25519.getPublicKey(a)))];
}
export const expected = () => (["ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c",true,true,true,true]);
