const Ajv = require("ajv"); const ajvErrors = require("ajv-errors");
exports.check = () => { const ajv = new Ajv({ allErrors: true }); ajvErrors(ajv); const v = ajv.compile({ type: "object", properties: { n: { type: "number", minimum: 5 } }, errorMessage: { properties: { n: "n must be >= 5" } } }); v({ n: 1 }); return v.errors.map((e) => e.message); };
exports.expected = () => (["n must be >= 5"]);
