import chroma from "chroma-js";
export function check() {
  return [chroma("#D4F880").darken().hex(), chroma.scale(["white", "black"])(0.5).hex(), chroma.mix("red", "blue", 0.5, "rgb").hex(), chroma.contrast("white", "navy").toFixed(2), chroma("hotpink").hsl().map((x) => Math.round(x * 100) / 100)];
}
export const expected = () => (["#a1c550","#808080","#800080","16.01",[330,1,0.71,1]]);
