import canonicalize from "canonicalize"; export function check() { return canonicalize({ b: [3, { y: 1, x: 2 }], a: 1e21, c: "€" }); }
export const expected = () => ("{\"a\":1e+21,\"b\":[3,{\"x\":2,\"y\":1}],\"c\":\"€\"}");
