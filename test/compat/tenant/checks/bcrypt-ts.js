const { hashSync, compareSync, genSaltSync } = require("bcrypt-ts"); exports.check = () => { const h = hashSync("pw", genSaltSync(4)); return [h.slice(0, 7), compareSync("pw", h), compareSync("px", h)]; };
exports.expected = () => (["$2b$04$",true,false]);
