const acorn = require("acorn"); const walk = require("acorn-walk"); exports.check = () => { const ids = []; walk.simple(acorn.parse("foo(bar, baz.qux)", { ecmaVersion: 2022 }), { Identifier(n) { ids.push(n.name); } }); return ids; };
exports.expected = () => (["foo","bar","baz"]);
