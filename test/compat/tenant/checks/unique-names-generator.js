const { uniqueNamesGenerator, adjectives, colors, animals } = require("unique-names-generator"); exports.check = () => uniqueNamesGenerator({ dictionaries: [adjectives, colors, animals], seed: 120498, separator: "-" });
exports.expected = () => ("continuous-gray-dragonfly");
