const fuzzysort = require("fuzzysort");
exports.check = () => fuzzysort.go("mr", ["Monitor", "Mister", "Microphone", "Tabletop"]).map((r) => [r.target, fuzzysort.highlight(r, "<", ">")]);
exports.expected = () => ([]);
