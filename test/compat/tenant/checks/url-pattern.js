const UrlPattern = require("url-pattern"); exports.check = () => { const p = new UrlPattern("/api/users(/:id)"); return [p.match("/api/users/10"), p.match("/api/users"), p.match("/api/x"), p.stringify({ id: 20 })]; };
exports.expected = () => ([{"id":"10"},{},null,"/api/users/20"]);
