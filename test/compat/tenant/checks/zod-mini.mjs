import { z } from "zod-mini/mini"; export function check() { const s = z.object({ a: z.string(), n: z.optional(z.number()) }); const r = s.safeParse({ a: 1 }); return [s.parse({ a: "x" }), r.success, r.error.issues.map((i) => i.code)]; }
export const expected = () => ([{"a":"x"},false,["invalid_type"]]);
