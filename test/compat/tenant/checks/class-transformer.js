// class-transformer's decorators keep their metadata with reflect-metadata (on the global Reflect).
require("reflect-metadata");
const { plainToInstance, instanceToPlain, Exclude, Expose, Type } = require("class-transformer");
class Address {
  get label() { return this.city + " (" + this.zip + ")"; }
}
class User {
  get fullName() { return this.first + " " + this.last; }
}
Exclude()(User.prototype, "password");
Expose()(User.prototype, "fullName");
Type(() => Address)(User.prototype, "address");
exports.check = () => {
  const user = plainToInstance(User, { first: "Ada", last: "Lovelace", password: "secret", address: { city: "London", zip: "N1" } });
  return [user instanceof User, user.fullName, user.address instanceof Address, user.address.label, instanceToPlain(user)];
};
exports.expected = () => [true, "Ada Lovelace", true, "London (N1)", { first: "Ada", last: "Lovelace", address: { city: "London", zip: "N1" }, fullName: "Ada Lovelace" }];
