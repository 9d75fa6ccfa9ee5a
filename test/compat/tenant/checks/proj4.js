const proj4 = require("proj4");
exports.check = () => [proj4("EPSG:4326", "EPSG:3857", [2.2945, 48.8582]).map((x) => +x.toFixed(2)), proj4("+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs", [15, 52]).map((x) => +x.toFixed(2))];
exports.expected = () => ([[255422.57,6250835.06],[500000,5761038.21]]);
