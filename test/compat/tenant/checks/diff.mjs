import { diffLines, diffWords, createTwoFilesPatch, applyPatch, diffJson, structuredPatch } from "diff";
export function check() {
  const a = "one\ntwo\nthree\n", b = "one\n2\nthree\nfour\n";
  const patch = createTwoFilesPatch("a.txt", "b.txt", a, b);
  return [diffLines(a, b).map((p) => [p.added ? "+" : p.removed ? "-" : "=", p.value]), diffWords("the cat", "the dog").filter((p) => p.added).map((p) => p.value), applyPatch(a, patch) === b, diffJson({ a: 1 }, { a: 2 }).length, structuredPatch("a", "b", a, b).hunks.length];
}
export const expected = () => ([[["=","one\n"],["-","two\n"],["+","2\n"],["=","three\n"],["+","four\n"]],["dog"],true,4,1]);
