const csso = require("csso"); exports.check = () => csso.minify(".a { color: #ff0000; margin: 0px 0px; } .b { color: red }").css;
exports.expected = () => (".a{margin:0}.a,.b{color:red}");
