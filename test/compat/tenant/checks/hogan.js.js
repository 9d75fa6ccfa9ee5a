const H = require("hogan.js"); exports.check = () => H.compile("Hi {{n}} {{#l}}[{{.}}]{{/l}}").render({ n: "<x>", l: [1, 2] });
exports.expected = () => ("Hi &lt;x&gt; [1][2]");
