const { ok, err, Result, ResultAsync } = require("neverthrow"); exports.check = async () => [ok(2).map((x) => x * 2).unwrapOr(0), err("e").mapErr((e) => e + "!").isErr(), Result.combine([ok(1), ok(2)]).value, (await ResultAsync.fromPromise(Promise.reject(new Error("x")), (e) => e.message)).error];
exports.expected = () => ([4,true,[1,2],"x"]);
