import { toHtml } from "hast-util-to-html"; import { h } from "hastscript"; export function check() { return toHtml(h("div#main.a", [h("p", { title: "t" }, "hi & bye"), h("br")])); }
export const expected = () => ("<div id=\"main\" class=\"a\"><p title=\"t\">hi &#x26; bye</p><br></div>");
