const sjson = require("secure-json-parse"); exports.check = () => { let err; try { sjson.parse('{"a":1,"__proto__":{"x":1}}'); } catch (e) { err = e.message; } return [sjson.parse('{"a":1}'), err, sjson.parse('{"a":1,"__proto__":{"x":1}}', null, { protoAction: "remove" })]; };
exports.expected = () => ([{"a":1},"Object contains forbidden prototype property",{"a":1}]);
