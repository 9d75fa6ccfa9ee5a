// kefir defines Symbol.observable at load (in strict code); rxjs's from() takes its streams through it.
const Kefir = require("kefir");
const { from, lastValueFrom, toArray } = require("rxjs");
exports.check = async () => {
  const sum = await Kefir.sequentially(1, [1, 2, 3]).map((x) => x * 2).scan((a, x) => a + x, 0).toPromise();
  const seen = await lastValueFrom(from(Kefir.sequentially(1, ["a", "b"])).pipe(toArray()));
  return [sum, seen, typeof Symbol.observable];
};
exports.expected = () => [12, ["a", "b"], "symbol"];
