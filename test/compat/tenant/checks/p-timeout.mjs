import pTimeout, { TimeoutError } from "p-timeout"; export async function check() { const ok = await pTimeout(Promise.resolve(5), { milliseconds: 50 }); let err; try { await pTimeout(new Promise(() => {}), { milliseconds: 10 }); } catch (e) { err = [e.name, e instanceof TimeoutError]; } return [ok, err]; }
export const expected = () => ([5,["TimeoutError",true]]);
