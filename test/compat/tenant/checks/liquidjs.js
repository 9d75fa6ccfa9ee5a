const { Liquid } = require("liquidjs");
exports.check = () => new Liquid().parseAndRender("{{ name | upcase }}{% for x in xs %}-{{ x }}{% endfor %}", { name: "ann", xs: [1, 2] });
exports.expected = () => ("ANN-1-2");
