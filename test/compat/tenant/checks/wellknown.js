const wellknown = require("wellknown"); exports.check = () => [wellknown.parse("POINT(1 2)"), wellknown.stringify({ type: "LineString", coordinates: [[0, 0], [1, 1]] }), wellknown.parse("POLYGON((0 0,1 0,1 1,0 0))").coordinates[0].length];
exports.expected = () => ([{"type":"Point","coordinates":[1,2]},"LINESTRING (0 0, 1 1)",4]);
