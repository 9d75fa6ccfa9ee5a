const { from } = require("ix/iterable"); const { filter, map } = require("ix/iterable/operators"); exports.check = () => from([1, 2, 3, 4]).pipe(filter((x) => x % 2 === 0), map((x) => x * 3)).toArray ? [...from([1, 2, 3, 4]).pipe(filter((x) => x % 2 === 0), map((x) => x * 3))] : null;
exports.expected = () => (null);
