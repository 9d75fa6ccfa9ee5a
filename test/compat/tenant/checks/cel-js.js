const { evaluate, parse } = require("cel-js"); exports.check = () => [evaluate("user.age >= 18 && 'admin' in user.roles", { user: { age: 20, roles: ["admin"] } }), String(evaluate("size([1,2,3]) + 1")), evaluate("'hello'.startsWith('he')")];
exports.expected = () => ([true,"4",true]);
