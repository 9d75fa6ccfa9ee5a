const s = require("showdown"); exports.check = () => new s.Converter({ tables: true }).makeHtml("# Hi\n\n*a* **b** `c`\n\n| x | y |\n|---|---|\n| 1 | 2 |");
exports.expected = () => ("<h1 id=\"hi\">Hi</h1>\n<p><em>a</em> <strong>b</strong> <code>c</code></p>\n<table>\n<thead>\n<tr>\n<th>x</th>\n<th>y</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>");
