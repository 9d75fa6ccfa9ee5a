/**
 * A graph of 1,200 small modules that each require one package whose main file is 3,800 characters deep, under
 * three modules that require 400 of them each, and an entry `entry` whose `f` returns their sum (1200): the ids and
 * dependencies a host keeps for it dwarf its sources (red team and review dec11: G1, V4).
 */
export function deepPackageGraph(entry: string): Record<string, string> {
  const deep = Array.from({ length: 19 }, (_, i) => String(i).padEnd(200, "d")).join("/") + "/i.js";
  const files: Record<string, string> = { "node_modules/p/package.json": JSON.stringify({ name: "p", main: deep }), [`node_modules/p/${deep}`]: "module.exports = 1;\n" };
  for (let i = 0; i < 1200; i++) files[`d/m${i}.js`] = 'module.exports = require("p");\n';
  for (let h = 0; h < 3; h++) {
    const lines: string[] = [];
    for (let i = h; i < 1200; i += 3) lines.push(`t += require("./d/m${i}.js");`);
    files[`h${h}.js`] = `let t = 0;\n${lines.join("\n")}\nmodule.exports = t;\n`;
  }
  files[entry] = 'exports.f = () => require("./h0.js") + require("./h1.js") + require("./h2.js");\n';
  return files;
}
