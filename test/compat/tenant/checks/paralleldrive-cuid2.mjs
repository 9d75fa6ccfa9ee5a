import { createId, isCuid, init } from "paralleldrive-cuid2";
export function check() { const id = createId(); return [id.length, isCuid(id), init({ length: 10 })().length, createId() !== id]; }
export const expected = () => ([24,true,10,true]);
