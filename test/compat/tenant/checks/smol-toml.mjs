import { parse, stringify } from "smol-toml";
export function check() { const t = parse('title = "x"\n[owner]\nname = "Tom"\ndob = 1979-05-27T07:32:00-08:00\n[[items]]\nid = 1\n[[items]]\nid = 2\n'); return [t.title, t.owner.name, t.owner.dob.toISOString(), t.items.length, stringify({ a: 1, b: { c: [1, 2] } })]; }
export const expected = () => (["x","Tom","1979-05-27T07:32:00.000-08:00",2,"a = 1\n\n[b]\nc = [ 1, 2 ]\n"]);
