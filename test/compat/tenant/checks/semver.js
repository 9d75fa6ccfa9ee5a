const semver = require("semver");
exports.check = () => [semver.satisfies("1.2.3", "^1.0.0"), semver.inc("1.2.3", "minor"), semver.maxSatisfying(["1.0.0", "1.5.0", "2.0.0"], "~1.5")];
exports.expected = () => ([true, "1.3.0", "1.5.0"]);
