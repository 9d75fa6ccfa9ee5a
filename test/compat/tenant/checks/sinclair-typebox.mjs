import { Type } from "sinclair-typebox";
import { Value } from "sinclair-typebox/value";
import { TypeCompiler } from "sinclair-typebox/compiler";
const T = Type.Object({ id: Type.Integer(), tags: Type.Array(Type.String()) });
// TypeCompiler builds its checker with `new globalThis.Function(...)`.
export const check = () => {
  const compiled = TypeCompiler.Compile(T);
  return [Value.Check(T, { id: 1, tags: ["a"] }), Value.Check(T, { id: "x" }), [...Value.Errors(T, { id: "x", tags: [] })].map((e) => e.path), compiled.Check({ id: 2, tags: [] }), compiled.Check({ id: 2.5, tags: [] })];
};
export const expected = () => [true, false, ["/id"], true, false];
