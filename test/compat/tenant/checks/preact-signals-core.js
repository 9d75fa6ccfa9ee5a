const { signal, computed, effect, batch } = require("preact-signals-core"); exports.check = () => { const a = signal(1); const b = computed(() => a.value * 2); const log = []; const dispose = effect(() => log.push(b.value)); batch(() => { a.value = 2; a.value = 3; }); dispose(); a.value = 4; return [log, b.value]; };
exports.expected = () => ([[2,6],8]);
