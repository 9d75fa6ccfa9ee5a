const { parse, stringify, toJSON, fromJSON } = require("flatted"); exports.check = () => { const a = [{}]; a[0].a = a; a.push(a); const s = stringify(a); const b = parse(s); return [s, b[0].a === b, b[1] === b]; };
exports.expected = () => (["[[\"1\",\"0\"],{\"a\":\"0\"}]",true,true]);
