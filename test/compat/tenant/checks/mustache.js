const Mustache = require("mustache");
exports.check = () => Mustache.render("{{greet}} {{#people}}{{name}};{{/people}}", { greet: "<hi>", people: [{ name: "a" }, { name: "b" }] });
exports.expected = () => ("&lt;hi&gt; a;b;");
