const xs = require("xstream").default; exports.check = () => new Promise((res) => { const out = []; xs.fromArray([1, 2, 3, 4]).filter((x) => x % 2 === 0).map((x) => x * 10).subscribe({ next: (x) => out.push(x), complete: () => res(out) }); });
exports.expected = () => ([20,40]);
