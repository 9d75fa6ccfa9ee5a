const Ajv = require("ajv"); const addFormats = require("ajv-formats");
exports.check = () => { const ajv = new Ajv({ allErrors: true }); addFormats(ajv); const v = ajv.compile({ type: "object", properties: { e: { type: "string", format: "email" }, d: { type: "string", format: "date-time" }, u: { type: "string", format: "uri" }, i: { type: "string", format: "ipv4" }, id: { type: "string", format: "uuid" } } });
  return [v({ e: "a@b.co", d: "2024-01-02T03:04:05Z", u: "https://x.y/z", i: "1.2.3.4", id: "123e4567-e89b-12d3-a456-426614174000" }), v({ e: "nope", d: "x", u: "::", i: "999.1.1.1", id: "z" }), v.errors.map((e) => e.instancePath).sort()]; };
exports.expected = () => ([true,false,["/d","/e","/i","/id","/u"]]);
