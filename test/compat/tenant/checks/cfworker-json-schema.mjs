import { Validator } from "cfworker-json-schema";
export const check = () => { const v = new Validator({ type: "object", properties: { n: { type: "integer", minimum: 1 }, e: { type: "string", format: "email" } }, required: ["n"] }); return [v.validate({ n: 2, e: "a@b.co" }).valid, v.validate({ n: 0, e: "nope" }).errors.map((e) => e.keyword)]; };
export const expected = () => ([true,["properties","minimum"]]);
