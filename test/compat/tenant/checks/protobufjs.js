const protobuf = require("protobufjs");
exports.check = () => {
  const root = protobuf.parse('syntax = "proto3"; package p; message User { string name = 1; int32 age = 2; repeated string tags = 3; }').root;
  const User = root.lookupType("p.User"); const buf = User.encode(User.create({ name: "a", age: 3, tags: ["x"] })).finish();
  return [Buffer.from(buf).toString("hex"), User.toObject(User.decode(buf)), User.verify({ age: "x" })];
};
exports.expected = () => (["0a016110031a0178",{"name":"a","age":3,"tags":["x"]},"age: integer expected"]);
