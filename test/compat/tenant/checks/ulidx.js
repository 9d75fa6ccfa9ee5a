const { ulid, decodeTime, monotonicFactory, isValid } = require("ulidx"); exports.check = () => { const m = monotonicFactory(); const a = m(1469918176385), b = m(1469918176385); return [ulid(1469918176385).slice(0, 10), decodeTime(a), a < b, isValid(b)]; };
exports.expected = () => (["01ARYZ6S41",1469918176385,true,true]);
