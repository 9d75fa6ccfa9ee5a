import { remark } from "remark"; export async function check() { const f = await remark().process("# Hi\n\n*emphasis*   and **strong**\n\n+ item"); return String(f); }
export const expected = () => ("# Hi\n\n*emphasis*   and **strong**\n\n* item\n");
