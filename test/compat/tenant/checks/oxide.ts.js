const { Option, Result, Some, None, Ok, Err, match } = require("oxide.ts"); exports.check = () => [Some(1).map((x) => x + 1).unwrap(), None.unwrapOr(9), Ok(2).andThen((x) => Err("n" + x)).unwrapErr(), match(Some(5), { Some: (n) => n * 2, None: () => 0 })];
exports.expected = () => ([2,9,"n2",10]);
