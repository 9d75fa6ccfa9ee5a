const msgpack = require("msgpack5")(); exports.check = () => { const b = msgpack.encode({ hello: "world", n: [1, -1, 300] }); return [b.toString("hex"), msgpack.decode(b)]; };
exports.expected = () => (["82a568656c6c6fa5776f726c64a16e9301ffcd012c",{"hello":"world","n":[1,-1,300]}]);
