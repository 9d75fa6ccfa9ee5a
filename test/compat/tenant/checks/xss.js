const xss = require("xss"); exports.check = () => [xss('<script>alert("x")</script><a href="javascript:alert(1)" onclick="x">l</a><img src="y.png" onerror="z">'), new xss.FilterXSS({ whiteList: { b: [] } }).process("<b class=x>b</b><i>i</i>")];
exports.expected = () => (["&lt;script&gt;alert(\"x\")&lt;/script&gt;<a href>l</a><img src>","<b>b</b>&lt;i&gt;i&lt;/i&gt;"]);
