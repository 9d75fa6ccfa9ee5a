const pug = require("pug"); exports.check = () => { const t = pug.compile("ul\n  each v in list\n    li(class=v.c)= v.n\np #{title} !{raw}"); return t({ list: [{ n: "a", c: "x" }, { n: "<b>", c: "y" }], title: "<T>", raw: "<i>r</i>" }); };
exports.expected = () => ("<ul><li class=\"x\">a</li><li class=\"y\">&lt;b&gt;</li></ul><p>&lt;T&gt; <i>r</i></p>");
