import { pEvent } from "p-event"; import { EventEmitter } from "node:events"; export async function check() { const e = new EventEmitter(); setTimeout(() => e.emit("done", 7), 1); return pEvent(e, "done"); }
export const expected = () => (7);
