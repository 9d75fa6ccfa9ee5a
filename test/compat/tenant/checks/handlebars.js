const Handlebars = require("handlebars");
exports.check = () => Handlebars.compile("Hi {{name}}! {{#each xs}}[{{this}}]{{/each}}")({ name: "<Ann>", xs: [1, 2] });
exports.expected = () => ("Hi &lt;Ann&gt;! [1][2]");
