import superjson from "superjson";
export const check = () => {
  const back = superjson.parse(superjson.stringify({ at: new Date(0), tags: new Set(["a"]), map: new Map([["k", 1]]), big: 10n, nothing: undefined }));
  return [back.at instanceof Date && back.at.getTime(), [...back.tags], back.map.get("k"), typeof back.big, "nothing" in back];
};
export const expected = () => [0, ["a"], 1, "bigint", true];
