const ZSchema = require("z-schema"); exports.check = () => { const v = new ZSchema(); const ok = v.validate({ a: 1 }, { type: "object", properties: { a: { type: "string" } } }); return [ok, v.getLastErrors().map((e) => e.code)]; };
exports.expected = () => ([false,["INVALID_TYPE"]]);
