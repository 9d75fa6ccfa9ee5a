const { expand } = require("dotenv-expand"); exports.check = () => expand({ parsed: { BASE: "http://x", URL: "${BASE}/api", D: "${MISSING:-dflt}" }, processEnv: {} }).parsed;
exports.expected = () => ({"BASE":"http://x","URL":"http://x/api","D":"dflt"});
