const notepack = require("notepack.io"); exports.check = () => { const b = notepack.encode({ a: 1, b: [true, "x"], c: 1.5 }); return [Buffer.from(b).toString("hex"), notepack.decode(b)]; };
exports.expected = () => (["83a16101a16292c3a178a163cb3ff8000000000000",{"a":1,"b":[true,"x"],"c":1.5}]);
