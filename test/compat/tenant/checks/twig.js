const Twig = require("twig");
exports.check = () => Twig.twig({ data: "Hello {{ name|upper }}{% for i in items %} {{ loop.index }}={{ i }}{% endfor %}" }).render({ name: "ann", items: ["x", "y"] });
exports.expected = () => ("Hello ANN 1=x 2=y");
