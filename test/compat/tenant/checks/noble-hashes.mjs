import { sha256, sha512 } from "noble-hashes/sha2.js";
import { sha3_256, keccak_256 } from "noble-hashes/sha3.js";
import { hmac } from "noble-hashes/hmac.js";
import { pbkdf2 } from "noble-hashes/pbkdf2.js";
import { blake3 } from "noble-hashes/blake3.js";
import { bytesToHex, utf8ToBytes, randomBytes } from "noble-hashes/utils.js";
export function check() {
  const m = utf8ToBytes("abc");
  return [bytesToHex(sha256(m)), bytesToHex(sha512(m)).slice(0, 16), bytesToHex(sha3_256(m)), bytesToHex(keccak_256(m)), bytesToHex(hmac(sha256, utf8ToBytes("key"), m)), bytesToHex(pbkdf2(sha256, "pw", "salt", { c: 1000, dkLen: 16 })), bytesToHex(blake3(m)), randomBytes(8).length];
}
export const expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","ddaf35a193617aba","3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532","4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45","9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab","0a38253555ce37f5c72a6b703f996814","6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",8]);
