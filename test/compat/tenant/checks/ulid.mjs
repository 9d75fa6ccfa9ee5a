import { ulid, decodeTime, monotonicFactory } from "ulid";
export function check() { const id = ulid(1700000000000); const m = monotonicFactory(); const a = m(1700000000000), b = m(1700000000000); return [id.length, decodeTime(id), a < b, /^[0-9A-HJKMNP-TV-Z]{26}$/.test(ulid())]; }
export const expected = () => ([26,1700000000000,true,true]);
