const CleanCSS = require("clean-css"); exports.check = () => new CleanCSS({}).minify("a { color: #FF0000; font-weight: bold; } a { margin: 0 0 0 0 }").styles;
exports.expected = () => ("a{color:red;font-weight:700}a{margin:0}");
