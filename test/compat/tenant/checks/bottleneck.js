const Bottleneck = require("bottleneck");
exports.check = async () => { const limiter = new Bottleneck({ maxConcurrent: 1, minTime: 5 }); const order = []; await Promise.all([3, 1, 2].map((x) => limiter.schedule(async () => { order.push(x); return x; }))); const c = limiter.counts(); await limiter.stop(); return [order, c.RUNNING]; };
exports.expected = () => ([[3,1,2],0]);
