import Color from "color";
export const check = () => { const c = Color("rgb(255, 255, 255)").darken(0.5); return [c.hex(), Color("#7743CE").alpha(0.5).lighten(0.5).string(), Color.rgb(10, 20, 30).hsl().array().map(Math.round), Color("red").isDark(), Color("blue").contrast(Color("white")).toFixed(3)]; };
export const expected = () => (["#808080","hsla(262.4, 58.6%, 80.3%, 0.5)",[210,50,8],true,"8.592"]);
