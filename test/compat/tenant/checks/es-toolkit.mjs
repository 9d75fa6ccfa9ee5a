import { chunk, debounce, isEqual, groupBy, camelCase, retry, delay, pick, mapValues } from "es-toolkit";
import { get, set } from "es-toolkit/compat";
export async function check() {
  let n = 0; const r = await retry(async () => { if (++n < 2) throw new Error("x"); return n; }, { retries: 3 });
  await delay(1);
  const o = {}; set(o, "a.b[0]", 1);
  return [chunk([1, 2, 3, 4, 5], 2), typeof debounce(() => 1, 10).cancel, isEqual({ a: [1] }, { a: [1] }), groupBy([1, 2, 3], (x) => (x % 2 ? "odd" : "even")), camelCase("foo_bar-baz"), r, pick({ a: 1, b: 2 }, ["b"]), mapValues({ a: 1 }, (v) => v * 2), get({ a: { b: [7] } }, "a.b[0]"), o];
}
export const expected = () => ([[[1,2],[3,4],[5]],"function",true,{"odd":[1,3],"even":[2]},"fooBarBaz",2,{"b":2},{"a":2},7,{"a":{"b":[1]}}]);
