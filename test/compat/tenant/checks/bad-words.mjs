import { Filter } from "bad-words"; export function check() { const f = new Filter(); f.addWords("badword"); return [f.clean("Don't be an ash0le"), f.clean("you badword you"), f.isProfane("hello")]; }
export const expected = () => (["Don't be an ******","you ******* you",false]);
