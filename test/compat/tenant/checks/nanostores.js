const { atom, computed, map } = require("nanostores"); exports.check = () => { const a = atom(1); const d = computed(a, (v) => v * 2); const seen = []; const un = d.subscribe((v) => seen.push(v)); a.set(5); un(); const m = map({ x: 1 }); m.setKey("y", 2); return [seen, d.get(), m.get()]; };
exports.expected = () => ([[2,10],10,{"x":1,"y":2}]);
