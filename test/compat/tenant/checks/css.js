const css = require("css"); exports.check = () => { const ast = css.parse("body { color: red; } @media (max-width: 5px) { a { b: c } }"); return [ast.stylesheet.rules.length, css.stringify(ast, { compress: true })]; };
exports.expected = () => ([2,"body{color:red;}@media (max-width: 5px){a{b:c;}}"]);
