const { lru } = require("tiny-lru"); exports.check = () => { const c = lru(2); c.set("a", 1).set("b", 2).set("c", 3); return [c.has("a"), c.get("c"), c.keys()]; };
exports.expected = () => ([false,3,["b","c"]]);
