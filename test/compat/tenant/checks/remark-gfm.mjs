import { remark } from "remark"; import remarkGfm from "remark-gfm"; export async function check() { return String(await remark().use(remarkGfm).process("| a | b |\n|-|-|\n| 1 | 2 |\n\n~~del~~ www.example.com\n\n- [x] done")); }
export const expected = () => ("| a | b |\n| - | - |\n| 1 | 2 |\n\n~~del~~ [www.example.com](http://www.example.com)\n\n* [x] done\n");
