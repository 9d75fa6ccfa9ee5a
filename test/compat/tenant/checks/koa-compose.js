const compose = require("koa-compose"); exports.check = async () => { const log = []; const fn = compose([async (ctx, next) => { log.push(1); await next(); log.push(4); }, async (ctx, next) => { log.push(2); ctx.body = "hi"; await next(); log.push(3); }]); const ctx = {}; await fn(ctx); return [log, ctx.body]; };
exports.expected = () => ([[1,2,3,4],"hi"]);
