const { parseDocument } = require("htmlparser2"); const { selectAll, is } = require("css-select"); exports.check = () => { const d = parseDocument("<ul><li class='a'>1</li><li>2</li><li class='a b'>3</li></ul>"); const sel = selectAll("li.a:not(.b)", d); return [sel.length, is(sel[0], "li:first-child")]; };
exports.expected = () => ([1,true]);
