const borsh = require("borsh"); exports.check = () => { const schema = { struct: { x: "u8", y: "string", z: { array: { type: "u16" } } } }; const b = borsh.serialize(schema, { x: 7, y: "hi", z: [1, 2] }); return [Buffer.from(b).toString("hex"), borsh.deserialize(schema, b)]; };
exports.expected = () => (["070200000068690200000001000200",{"x":7,"y":"hi","z":[1,2]}]);
