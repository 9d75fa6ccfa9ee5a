const { js, css, html } = require("js-beautify");
exports.check = () => [js("function f(a){if(a){return 1}else{return 2}}", { indent_size: 2 }), css("a{color:red;margin:0}"), html("<div><p>x</p></div>")];
exports.expected = () => (["function f(a) {\n  if (a) {\n    return 1\n  } else {\n    return 2\n  }\n}","a {\n    color: red;\n    margin: 0\n}","<div>\n    <p>x</p>\n</div>"]);
