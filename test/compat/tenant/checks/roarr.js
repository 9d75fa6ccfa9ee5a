const { Roarr } = require("roarr"); exports.check = () => { const log = Roarr.child({ app: "x" }); log.info("hello"); return typeof log.info; };
exports.expected = () => ("function");
