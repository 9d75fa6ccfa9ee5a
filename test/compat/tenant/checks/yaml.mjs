import YAML from "yaml";
export const check = () => [YAML.parse("x: [1, 2]\ny: {z: true}\n"), YAML.stringify({ a: [1] })];
export const expected = () => ([{ x: [1, 2], y: { z: true } }, "a:\n  - 1\n"]);
