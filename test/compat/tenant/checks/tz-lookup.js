const tzlookup = require("tz-lookup"); exports.check = () => [tzlookup(42.7235, -73.6931), tzlookup(48.8566, 2.3522), tzlookup(-33.86, 151.2)];
exports.expected = () => (["America/New_York","Europe/Paris","Australia/Sydney"]);
