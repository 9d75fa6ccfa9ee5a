const { stringify, parse } = require("telejson"); exports.check = () => { const o = { d: new Date(0), r: /x/g, n: null, m: new Map([[1, 2]]) }; const s = stringify(o); const b = parse(s); return [b.d instanceof Date, String(b.r)]; };
exports.expected = () => ([true,"/x/g"]);
