const { pipe, flow } = require("fp-ts/function");
const A = require("fp-ts/Array"); const O = require("fp-ts/Option"); const E = require("fp-ts/Either"); const TE = require("fp-ts/TaskEither");
exports.check = async () => {
  const parse = (s) => (isNaN(+s) ? E.left("NaN: " + s) : E.right(+s));
  const task = await pipe(TE.right(2), TE.map((n) => n * 21))();
  return [pipe([1, 2, 3], A.map((x) => x * 2), A.filter((x) => x > 2)), pipe(O.fromNullable(null), O.getOrElse(() => "none")), pipe("4", parse, E.map((n) => n + 1)), pipe("x", parse), flow(A.reverse, A.head)([1, 2]), task];
};
exports.expected = () => ([[4,6],"none",{"_tag":"Right","right":5},{"_tag":"Left","left":"NaN: x"},{"_tag":"Some","value":2},{"_tag":"Right","right":42}]);
