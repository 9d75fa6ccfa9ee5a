const h = require("humanize-duration"); exports.check = () => [h(97320000), h(3000, { language: "de" }), h(1234, { round: true })];
exports.expected = () => (["1 day, 3 hours, 2 minutes","3 Sekunden","1 second"]);
