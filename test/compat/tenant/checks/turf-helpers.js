const t = require("turf-helpers"); exports.check = () => [t.point([1, 2], { a: 1 }), t.featureCollection([t.lineString([[0, 0], [1, 1]])]).features.length, t.lengthToDegrees(111.32, "kilometers").toFixed(4), t.convertArea(1, "kilometers", "meters")];
exports.expected = () => ([{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}},1,"1.0011",1000000]);
