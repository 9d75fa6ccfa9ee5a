import { base58, base32, bech32, base64url, hex } from "scure-base";
export const check = () => { const b = new Uint8Array([0, 1, 2, 255]); return [base58.encode(b), base32.encode(b), base64url.encode(b), hex.encode(b), bech32.encode("bc", bech32.toWords(b))]; };
export const expected = () => (["1LiA","AAAQF7Y=","AAEC_w==","000102ff","bc1qqqs9lc5xhnjx"]);
