const t = require("io-ts");
const { isRight, isLeft, fold } = require("fp-ts/Either");
const { pipe } = require("fp-ts/function");
const { PathReporter } = require("io-ts/PathReporter");
const A = require("fp-ts/Array"); const O = require("fp-ts/Option");
exports.check = () => {
  const User = t.type({ name: t.string, age: t.number });
  const good = User.decode({ name: "x", age: 1 }), bad = User.decode({ name: 1 });
  return [isRight(good), isLeft(bad), PathReporter.report(bad), pipe([1, 2, 3], A.map((x) => x * 2), A.filter((x) => x > 2)), pipe(O.fromNullable(null), O.getOrElse(() => "none")), pipe(good, fold(() => "bad", (u) => u.name))];
};
exports.expected = () => ([true,true,["Invalid value 1 supplied to : { name: string, age: number }/name: string","Invalid value undefined supplied to : { name: string, age: number }/age: number"],[4,6],"none","x"]);
