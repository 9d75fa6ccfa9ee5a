const parseUrl = require("parse-url"); exports.check = () => { const p = (parseUrl.default ?? parseUrl)("git@github.com:IonicaBizau/parse-url.git"); return [p.protocol, p.resource, p.pathname]; };
exports.expected = () => (["ssh","github.com","/IonicaBizau/parse-url.git"]);
