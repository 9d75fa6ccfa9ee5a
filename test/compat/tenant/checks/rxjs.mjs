import { from, of, firstValueFrom, lastValueFrom, Subject } from "rxjs";
import { map, filter, reduce, toArray, scan, take } from "rxjs/operators";
export const check = async () => {
  const a = await lastValueFrom(from([1, 2, 3, 4]).pipe(filter((x) => x % 2 === 0), map((x) => x * 10), toArray()));
  const b = await firstValueFrom(of(1, 2, 3).pipe(reduce((s, x) => s + x, 0)));
  const s = new Subject();
  const seen = [];
  s.pipe(scan((acc, x) => acc + x, 0), take(2)).subscribe((v) => seen.push(v));
  s.next(1);
  s.next(2);
  s.next(3);
  return [a, b, seen];
};
export const expected = () => [[20, 40], 6, [1, 3]];
