import { Effect, pipe, Option, Schema } from "effect";
export const check = async () => { const prog = pipe(Effect.succeed(20), Effect.map((n) => n + 1), Effect.flatMap((n) => (n > 20 ? Effect.succeed(n * 2) : Effect.fail("small")))); const r = await Effect.runPromise(prog); const P = Schema.Struct({ name: Schema.String, age: Schema.Number }); const dec = Schema.decodeUnknownSync(P)({ name: "a", age: 3 }); return [r, Option.getOrElse(Option.none(), () => "d"), dec]; };
export const expected = () => ([42,"d",{"name":"a","age":3}]);
