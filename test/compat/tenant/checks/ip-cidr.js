const IPCIDR = require("ip-cidr"); exports.check = () => { const C = IPCIDR.default ?? IPCIDR; const c = new C("50.165.190.0/23"); return [C.isValidCIDR("50.165.190.0/23"), c.start(), c.end(), c.toArray({ from: 0, limit: 2 }), c.contains("50.165.191.7")]; };
exports.expected = () => ([true,"50.165.190.0","50.165.191.255",["50.165.190.0","50.165.190.1"],true]);
