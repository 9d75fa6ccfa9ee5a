const { Address4, Address6 } = require("ip-address");
exports.check = () => { const a = new Address4("10.0.0.0/8"); const b = new Address4("10.1.2.3"); const c = new Address6("2001:db8::1"); return [b.isInSubnet(a), a.startAddress().address, a.endAddress().address, c.canonicalForm(), c.correctForm()]; };
exports.expected = () => ([true,"10.0.0.0","10.255.255.255","2001:0db8:0000:0000:0000:0000:0000:0001","2001:db8::1"]);
