import wrapAnsi from "wrap-ansi"; export function check() { return [wrapAnsi("The quick \u001b[31mbrown\u001b[39m fox jumped", 10), wrapAnsi("abcdefghij", 4, { hard: true })]; }
export const expected = () => (["The quick\n\u001b[31mbrown\u001b[39m fox\njumped","abcd\nefgh\nij"]);
