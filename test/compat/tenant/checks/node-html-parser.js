const { parse } = require("node-html-parser");
exports.check = () => { const root = parse('<div id="x"><p class="c">Hello <b>world</b></p><a href="/q">l</a></div>'); return [root.querySelector("p.c").text, root.querySelectorAll("a").map((a) => a.getAttribute("href")), root.querySelector("#x").childNodes.length]; };
exports.expected = () => (["Hello world",["/q"],2]);
