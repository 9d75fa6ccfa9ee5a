import { chunk, groupBy, debounce, template, merge, sortBy, uniqBy } from "lodash-es";
export const check = () => [chunk([1, 2, 3, 4, 5], 2), groupBy([6.1, 4.2, 6.3], Math.floor), merge({ a: [{ b: 1 }] }, { a: [{ c: 2 }] }), sortBy([{ n: "b" }, { n: "a" }], "n"), uniqBy([2.1, 1.2, 2.3], Math.floor), typeof debounce(() => 1, 10), template("hi <%= u %>")({ u: "x" })];
export const expected = () => ([[[1,2],[3,4],[5]],{"4":[4.2],"6":[6.1,6.3]},{"a":[{"b":1,"c":2}]},[{"n":"a"},{"n":"b"}],[2.1,1.2],"function","hi x"]);
