// util.parseArgs: @pkgjs/parseargs (Node's own implementation, published by the Node.js package maintenance
// team), with Node's error wording (parse-args-errors.cjs) and Node 22's allowNegative (tsup.config.ts patches).
module.exports = require("@pkgjs/parseargs").parseArgs;
