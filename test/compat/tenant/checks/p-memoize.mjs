import pMemoize from "p-memoize"; export async function check() { let n = 0; const f = pMemoize(async (x) => { n++; return x * 2; }); await f(1); await f(1); return [await f(2), n]; }
export const expected = () => ([4,2]);
