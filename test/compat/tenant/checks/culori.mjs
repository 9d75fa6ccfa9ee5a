import { formatHex, oklch, parse, interpolate, wcagContrast, converter } from "culori";
export const check = () => { const toRgb = converter("rgb"); return [formatHex(oklch("#ff6347")), parse("hsl(120 50% 50%)"), formatHex(interpolate(["red", "blue"])(0.5)), +wcagContrast("black", "white").toFixed(2), toRgb("oklch(70% 0.1 200)").r.toFixed(4)]; };
export const expected = () => (["#ff6347",{"mode":"hsl","h":120,"s":0.5,"l":0.5},"#800080",21,"0.2518"]);
