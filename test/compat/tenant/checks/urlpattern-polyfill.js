const { URLPattern } = require("urlpattern-polyfill"); exports.check = () => { const p = new URLPattern({ pathname: "/books/:id(\\d+)" }); const r = p.exec("https://x.com/books/123"); return [p.test("https://x.com/books/abc"), r.pathname.groups]; };
exports.expected = () => ([false,{"id":"123"}]);
