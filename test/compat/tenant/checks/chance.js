const Chance = require("chance"); exports.check = () => { const c = new Chance(42); return [c.name(), c.email(), c.integer({ min: 1, max: 100 }), c.guid(), c.pickone(["a", "b", "c"]), c.sentence({ words: 4 })]; };
exports.expected = () => (["Seth Tran","zin@fa.am",46,"8f4c65aa-0680-5dac-9c4e-43a1ae341cae","c","Nataj sibsof buunu bave."]);
