const { signal, computed, effect } = require("alien-signals"); exports.check = () => { const c = signal(1); const d = computed(() => c() * 2); const log = []; const stop = effect(() => { log.push(d()); }); c(3); stop(); c(5); return [log, d()]; };
exports.expected = () => ([[2,6],10]);
