import Emittery from "emittery"; export async function check() { const e = new Emittery(); const got = []; e.on("x", async (d) => got.push(d)); await e.emit("x", 1); await e.emitSerial("x", 2); const it = e.events("y"); setTimeout(() => e.emit("y", 3), 1); const { value } = await it.next(); return [got, value, e.listenerCount("x")]; }
export const expected = () => ([[1,2],3,1]);
