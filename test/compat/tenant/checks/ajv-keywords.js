const Ajv = require("ajv"); const addKeywords = require("ajv-keywords");
exports.check = () => { const ajv = new Ajv(); addKeywords(ajv, ["uniqueItemProperties", "transform", "range"]); const v = ajv.compile({ type: "array", uniqueItemProperties: ["id"] }); const t = ajv.compile({ type: "object", properties: { s: { type: "string", transform: ["trim", "toLowerCase"] } } }); const d = { s: "  HeLLo " }; t(d); return [v([{ id: 1 }, { id: 1 }]), d.s, ajv.validate({ type: "number", range: [1, 3] }, 5)]; };
exports.expected = () => ([false,"hello",false]);
