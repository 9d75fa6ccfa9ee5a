const swig = require("swig-templates"); exports.check = () => swig.render("{% for x in xs %}{{ x|upper }}{% endfor %} {{ n|default('d') }}", { locals: { xs: ["a", "b"] } });
exports.expected = () => ("AB d");
