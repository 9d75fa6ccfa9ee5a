const valid = require("card-validator");
exports.check = () => { const n = valid.number("4111 1111 1111 1111"); return [n.isValid, n.card.type, valid.expirationDate("12/30").isValid, valid.cvv("123").isValid]; };
exports.expected = () => ([true,"visa",true,true]);
