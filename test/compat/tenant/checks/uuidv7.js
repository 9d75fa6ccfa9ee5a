const { uuidv7, UUID } = require("uuidv7"); exports.check = () => { const u = uuidv7(); return [u.length, u[14], UUID.parse("0189dcd5-5311-7d40-8db0-9496a2eef37b").toString()]; };
exports.expected = () => ([36,"7","0189dcd5-5311-7d40-8db0-9496a2eef37b"]);
