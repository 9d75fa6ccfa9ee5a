const Validator = require("validatorjs"); exports.check = () => { const v = new Validator({ name: "", email: "bad", age: 10 }, { name: "required", email: "required|email", age: "integer|min:18" }); return [v.passes(), v.errors.all()]; };
exports.expected = () => ([false,{"name":["The name field is required."],"email":["The email format is invalid."],"age":["The age must be at least 18."]}]);
