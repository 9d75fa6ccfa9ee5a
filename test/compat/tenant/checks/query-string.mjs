import queryString from "query-string";
export const check = () => [queryString.parse("?foo=bar&n=1&n=2"), queryString.stringify({ b: 2, a: [1, 3] })];
export const expected = () => ([{ foo: "bar", n: ["1", "2"] }, "a=1&a=3&b=2"]);
