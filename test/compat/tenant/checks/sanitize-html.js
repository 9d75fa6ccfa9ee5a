const sanitizeHtml = require("sanitize-html");
exports.check = () => [sanitizeHtml('<p onclick="x()">hi <script>alert(1)</script><a href="javascript:x">l</a><b>b</b></p>'), sanitizeHtml("<img src=x onerror=y><i>t</i>", { allowedTags: ["i"] })];
exports.expected = () => ["<p>hi <a>l</a><b>b</b></p>", "<i>t</i>"];
