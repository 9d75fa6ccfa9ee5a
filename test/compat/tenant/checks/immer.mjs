import { produce } from "immer";
export function check() {
  const base = { list: [{ done: false }] };
  const next = produce(base, (draft) => {
    draft.list[0].done = true;
    draft.list.push({ done: false });
  });
  return [base.list[0].done, next.list.length, next.list[0].done, Object.isFrozen(next)];
}
export const expected = () => ([false, 2, true, true]);
