const i = require("icepick"); exports.check = () => { const a = i.freeze({ x: { y: [1] } }); const b = i.setIn(a, ["x", "y", 1], 2); return [b, Object.isFrozen(b.x), i.assocIn(a, ["q"], 1), a.x.y]; };
exports.expected = () => ([{"x":{"y":[1,2]}},false,{"x":{"y":[1]},"q":1},[1]]);
