const { createStore } = require("zustand/vanilla");
exports.check = () => { const store = createStore((set) => ({ n: 0, inc: () => set((s) => ({ n: s.n + 1 })) })); const seen = []; store.subscribe((s) => seen.push(s.n)); store.getState().inc(); store.getState().inc(); return [store.getState().n, seen]; };
exports.expected = () => ([2,[1,2]]);
