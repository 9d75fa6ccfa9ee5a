import { atom, createStore } from "jotai/vanilla"; export function check() { const store = createStore(); const a = atom(1); const b = atom((get) => get(a) * 10); const log = []; store.sub(b, () => log.push(store.get(b))); store.set(a, 2); store.set(a, 3); return [store.get(b), log]; }
export const expected = () => ([30,[20,30]]);
