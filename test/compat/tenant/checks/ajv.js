const Ajv = require("ajv");
exports.check = () => {
  const validate = new Ajv().compile({ type: "object", properties: { n: { type: "integer", minimum: 1 } }, required: ["n"] });
  return [validate({ n: 2 }), validate({ n: 0 }), validate.errors[0].instancePath];
};
exports.expected = () => ([true, false, "/n"]);
