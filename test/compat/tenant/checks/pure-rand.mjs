import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus"; import { uniformInt } from "pure-rand/distribution/uniformInt"; export function check() { const g = xoroshiro128plus(42); return [uniformInt(g, 1, 100), uniformInt(g, 1, 100)]; }
export const expected = () => ([6,26]);
