const validate = require("validate.js"); exports.check = () => [validate({ email: "x", pw: "ab" }, { email: { email: true }, pw: { length: { minimum: 6 } } }), validate({ email: "a@b.co" }, { email: { email: true } }) ?? null];
exports.expected = () => ([{"email":["Email is not a valid email"],"pw":["Pw is too short (minimum is 6 characters)"]},null]);
