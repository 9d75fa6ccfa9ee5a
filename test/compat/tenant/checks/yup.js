const yup = require("yup");
exports.check = async () => {
  const schema = yup.object({ email: yup.string().email().required(), n: yup.number().positive() });
  const ok = await schema.isValid({ email: "a@b.co", n: 1 });
  let message;
  try {
    await schema.validate({ email: "bad", n: 1 });
  } catch (error) {
    message = error.errors[0];
  }
  return [ok, message];
};
exports.expected = () => ([true, "email must be a valid email"]);
