const ct = require("countries-and-timezones"); exports.check = () => [ct.getCountry("DE").timezones, ct.getTimezone("Asia/Kolkata").utcOffsetStr, ct.getCountriesForTimezone("Europe/Zurich").map((c) => c.id)];
exports.expected = () => ([["Europe/Berlin","Europe/Zurich"],"+05:30",["CH","DE","LI"]]);
