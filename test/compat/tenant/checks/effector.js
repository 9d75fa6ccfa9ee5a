const { createStore, createEvent, sample, createEffect } = require("effector");
exports.check = async () => { const inc = createEvent(); const $n = createStore(0).on(inc, (n, by) => n + by); const $double = $n.map((n) => n * 2); inc(2); inc(3); const fx = createEffect(async (x) => x + 1); const r = await fx(41); return [$n.getState(), $double.getState(), r]; };
exports.expected = () => ([5,10,42]);
