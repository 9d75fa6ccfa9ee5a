import * as v from "valibot";
const User = v.object({ email: v.pipe(v.string(), v.email()), age: v.pipe(v.number(), v.minValue(18)) });
export const check = () => {
  const bad = v.safeParse(User, { email: "x", age: 2 });
  return [v.safeParse(User, { email: "a@b.co", age: 20 }).success, bad.issues.map((issue) => v.getDotPath(issue))];
};
export const expected = () => [true, ["email", "age"]];
