require("reflect-metadata"); const { validateSync, IsEmail, Length, IsInt, Min } = require("class-validator");
class User { constructor(o) { Object.assign(this, o); } }
IsEmail()(User.prototype, "email"); Length(2, 20)(User.prototype, "name"); IsInt()(User.prototype, "age"); Min(18)(User.prototype, "age");
exports.check = () => validateSync(new User({ email: "nope", name: "a", age: 12.5 })).map((e) => [e.property, Object.keys(e.constraints).sort()]);
exports.expected = () => ([["email",["isEmail"]],["name",["isLength"]],["age",["isInt","min"]]]);
