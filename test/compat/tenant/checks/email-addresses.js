const ea = require("email-addresses"); exports.check = () => { const r = ea.parseOneAddress('"Jane Doe" <jane.doe@example.com>'); return [r.name, r.local, r.domain, ea.parseAddressList("a@b.com, Bob <bob@c.org>").map((x) => x.address)]; };
exports.expected = () => (["Jane Doe","jane.doe","example.com",["a@b.com","bob@c.org"]]);
