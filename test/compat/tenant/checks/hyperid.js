const hyperid = require("hyperid"); exports.check = () => { const g = hyperid({ urlSafe: true }); const id = g(); return [typeof id, hyperid.decode(id, { urlSafe: true }).count]; };
exports.expected = () => (["string",0]);
