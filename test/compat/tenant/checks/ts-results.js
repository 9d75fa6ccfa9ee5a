const { Ok, Err, Some, None } = require("ts-results"); exports.check = () => [Ok(1).map((x) => x + 1).unwrap(), Err("bad").unwrapOr(0), Some(3).map((x) => x * 2).unwrapOr(0), None.unwrapOr("none"), Ok(5).toString()];
exports.expected = () => ([2,0,6,"none","Ok(5)"]);
