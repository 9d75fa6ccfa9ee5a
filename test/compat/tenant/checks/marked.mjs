import { marked } from "marked";
export const check = () => marked.parse("# Hi\n\n*there*");
export const expected = () => ("<h1>Hi</h1>\n<p><em>there</em></p>\n");
