const m = require("turf-boolean-point-in-polygon"); exports.check = () => { const f = m.default ?? m.booleanPointInPolygon; const poly = { type: "Polygon", coordinates: [[[-81, 41], [-81, 47], [-72, 47], [-72, 41], [-81, 41]]] }; return [f([-77, 44], poly), f([-70, 44], poly)]; };
exports.expected = () => ([true,false]);
