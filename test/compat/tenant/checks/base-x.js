const basex = require("base-x"); exports.check = () => { const bs62 = (basex.default ?? basex)("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"); const e = bs62.encode(new Uint8Array([0, 255, 10, 99])); return [e, Array.from(bs62.decode(e))]; };
exports.expected = () => (["0188a7",[0,255,10,99]]);
