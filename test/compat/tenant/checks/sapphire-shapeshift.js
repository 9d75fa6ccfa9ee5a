const { s } = require("sapphire-shapeshift"); exports.check = () => { const user = s.object({ name: s.string(), age: s.number().int().greaterThan(0) }); let err; try { user.parse({ name: "a", age: -1 }); } catch (e) { err = e.constructor.name; } return [user.parse({ name: "x", age: 3 }), err]; };
exports.expected = () => ([{"name":"x","age":3},"CombinedPropertyError"]);
