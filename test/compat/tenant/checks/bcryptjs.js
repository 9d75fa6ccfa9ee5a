const bcrypt = require("bcryptjs");
exports.check = () => {
  const hash = bcrypt.hashSync("pw", 4);
  return [bcrypt.compareSync("pw", hash), bcrypt.compareSync("other", hash), hash.slice(0, 7), bcrypt.compareSync("pw", "$2a$04$VCsdoVfqhzDzrKFwsfLeQOlm2WWl5u8BZN8RUvt3L5LDZcRVOzACu")];
};
exports.expected = () => ([true, false, "$2b$04$", false]);
