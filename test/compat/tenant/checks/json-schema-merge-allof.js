const mergeAllOf = require("json-schema-merge-allof"); exports.check = () => mergeAllOf({ allOf: [{ type: ["string", "number"], minLength: 1 }, { type: "string", maxLength: 5 }] });
exports.expected = () => ({"type":"string","minLength":1,"maxLength":5});
