import { object, string, number, is, validate } from "superstruct";
export function check() {
  const User = object({ name: string(), age: number() });
  const [error] = validate({ name: "x", age: "1" }, User);
  return [is({ name: "a", age: 1 }, User), error.path];
}
export const expected = () => ([true, ["age"]]);
