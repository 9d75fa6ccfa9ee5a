const v = require("is-my-json-valid"); exports.check = () => { const val = v({ type: "object", properties: { a: { type: "number" } }, required: ["a"] }); return [val({ a: 1 }), val({ a: "x" }), val.errors]; };
exports.expected = () => ([true,false,[{"field":"data.a","message":"is the wrong type"}]]);
