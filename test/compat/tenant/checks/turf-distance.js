const d = require("turf-distance"); exports.check = () => { const distance = d.default ?? d.distance ?? d; return [distance([-75.343, 39.984], [-75.534, 39.123]).toFixed(6), distance([0, 0], [1, 0], { units: "miles" }).toFixed(6)]; };
exports.expected = () => (["97.129221","69.093420"]);
