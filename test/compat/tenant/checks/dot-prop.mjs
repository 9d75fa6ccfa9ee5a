import { getProperty, setProperty, deleteProperty, hasProperty, deepKeys } from "dot-prop";
export const check = () => { const o = { a: { b: { c: 1 } } }; setProperty(o, "a.d.e", 2); setProperty(o, "arr[1].x", 3); deleteProperty(o, "a.b.c"); return [o, getProperty(o, "a.d.e"), hasProperty(o, "a.b"), deepKeys({ x: { y: 1, z: [1] } })]; };
export const expected = () => ([{"a":{"b":{},"d":{"e":2}},"arr":[null,{"x":3}]},2,true,["x.y","x.z[0]"]]);
