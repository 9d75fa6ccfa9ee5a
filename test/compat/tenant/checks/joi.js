const Joi = require("joi");
exports.check = () => {
  const schema = Joi.object({ name: Joi.string().min(2).required(), age: Joi.number().integer() });
  return [schema.validate({ name: "Al", age: 3 }).error === undefined, schema.validate({ name: "A" }).error.details[0].type];
};
exports.expected = () => ([true, "string.min"]);
