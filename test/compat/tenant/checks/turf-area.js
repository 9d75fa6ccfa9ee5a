const m = require("turf-area"); exports.check = () => { const area = m.default ?? m.area; return Math.round(area({ type: "Polygon", coordinates: [[[125, -15], [113, -22], [154, -27], [144, -15], [125, -15]]] })); };
exports.expected = () => (3332484969239);
