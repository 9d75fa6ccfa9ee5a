const { findTimeZone, getZonedTime, listTimeZones } = require("timezone-support"); exports.check = () => { const z = findTimeZone("Europe/Berlin"); const t = getZonedTime(new Date(Date.UTC(2024, 6, 1, 12)), z); return [t.hours, t.zone.abbreviation, listTimeZones().includes("Asia/Tokyo")]; };
exports.expected = () => ([14,"CEST",true]);
