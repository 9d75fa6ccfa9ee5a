const Bacon = require("baconjs"); exports.check = () => new Promise((res) => { const out = []; Bacon.fromArray([1, 2, 3]).map((x) => x * 2).scan(0, (a, b) => a + b).onValue((v) => out.push(v)); setTimeout(() => res(out), 10); });
exports.expected = () => ([0,2,6,12]);
