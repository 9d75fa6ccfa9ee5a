const h3 = require("h3-js");
exports.check = () => { const cell = h3.latLngToCell(37.3615593, -122.0553238, 7); return [cell, h3.cellToLatLng(cell).map((x) => +x.toFixed(5)), h3.gridDisk(cell, 1).length, h3.getResolution(cell)]; };
exports.expected = () => (["87283472bffffff",[37.35172,-122.05033],7,7]);
