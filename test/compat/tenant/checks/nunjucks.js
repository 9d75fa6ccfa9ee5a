const nunjucks = require("nunjucks");
exports.check = () => {
  const env = new nunjucks.Environment(null, { autoescape: true });
  env.addFilter("shout", (s) => s.toUpperCase() + "!");
  return [env.renderString("Hello {{ name | shout }} {% for i in items %}[{{ i }}]{% endfor %} {{ html }}", { name: "bob", items: [1, 2], html: "<b>" }), nunjucks.renderString("{% if x > 1 %}big{% else %}small{% endif %}", { x: 2 })];
};
exports.expected = () => (["Hello BOB! [1][2] &lt;b&gt;","big"]);
