import pMap from "p-map";
export const check = async () => pMap([3, 1, 2], async (x) => { await new Promise((r) => setTimeout(r, x * 5)); return x * 10; }, { concurrency: 2 });
export const expected = () => ([30,10,20]);
