const { Validator } = require("jsonschema"); exports.check = () => { const v = new Validator(); const r = v.validate({ a: "x" }, { type: "object", properties: { a: { type: "number" } }, required: ["b"] }); return r.errors.map((e) => e.stack); };
exports.expected = () => (["instance.a is not of a type(s) number","instance requires property \"b\""]);
