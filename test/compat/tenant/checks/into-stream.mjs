import intoStream from "into-stream"; export async function check() { const chunks = []; for await (const c of intoStream(["a", "b"])) chunks.push(String(c)); const objs = []; for await (const o of intoStream.object([{ a: 1 }, { b: 2 }])) objs.push(o); return [chunks.join(""), objs]; }
export const expected = () => (["ab",[{"a":1},{"b":2}]]);
