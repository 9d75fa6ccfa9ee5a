const seedrandom = require("seedrandom"); exports.check = () => { const r = seedrandom("hi"); const a = seedrandom.alea("x"); return [r(), r.int32(), r.quick(), a(), seedrandom.xor4096("y")()]; };
exports.expected = () => ([0.2105940743225466,-490004915,0.8271707738749683,0.2613884243182838,0.12311765528284013]);
