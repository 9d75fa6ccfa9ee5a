const { OrderedMap, Deque, PriorityQueue } = require("js-sdsl"); exports.check = () => { const m = new OrderedMap(); m.setElement(3, "c"); m.setElement(1, "a"); m.setElement(2, "b"); const keys = []; m.forEach(([k]) => keys.push(k)); const pq = new PriorityQueue([3, 1, 2], (a, b) => a - b); return [keys, pq.top(), new Deque([1, 2]).size()]; };
exports.expected = () => ([[1,2,3],1,2]);
