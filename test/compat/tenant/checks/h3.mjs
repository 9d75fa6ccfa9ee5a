import { H3, defineHandler, getQuery } from "h3"; export async function check() { const app = new H3(); app.get("/hi", (event) => ({ q: getQuery(event) })); const r = await app.fetch(new Request("http://x/hi?a=1")); return [r.status, await r.json()]; }
export const expected = () => ([200,{"q":{"a":"1"}}]);
