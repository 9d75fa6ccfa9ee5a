const { Type } = require("typebox"); const { Value } = require("typebox/value"); exports.check = () => { const T = Type.Object({ x: Type.Number(), s: Type.Optional(Type.String()) }); return [Value.Check(T, { x: 1 }), Value.Check(T, { x: "1" }), [...Value.Errors(T, { x: "1" })].length > 0, Value.Create(T)]; };
exports.expected = () => ([true,false,true,{"x":0}]);
