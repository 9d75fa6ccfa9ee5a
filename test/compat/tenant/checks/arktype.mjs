// arktype reads the Fetch classes (Request, Response, Headers, FormData) at load.
import { type } from "arktype";
export function check() {
  const User = type({ name: "string", age: "number.integer >= 0", "email?": "string.email", tags: "string[]" });
  const ok = User({ name: "Ada", age: 36, email: "ada@example.com", tags: ["x"] });
  const bad = User({ name: "Bob", age: -1, tags: [1] });
  const Parsed = type("string.numeric.parse").pipe((n) => n * 2);
  return [ok, bad instanceof type.errors ? bad.summary.split("\n").sort() : "no errors", Parsed("21"), type("Request").allows(new Request("https://a.b/"))];
}
export const expected = () => [
  { name: "Ada", age: 36, email: "ada@example.com", tags: ["x"] },
  ["age must be non-negative (was -1)", "tags[0] must be a string (was a number)"],
  42,
  true,
];
