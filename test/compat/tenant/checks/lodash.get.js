const get = require("lodash.get"); exports.check = () => [get({ a: [{ b: { c: 3 } }] }, "a[0].b.c"), get({}, "x.y", "dflt")];
exports.expected = () => ([3,"dflt"]);
