const t = require("art-template");
exports.check = () => [t.render("<p>{{name}}</p>{{each list v i}}<i>{{i}}:{{v}}</i>{{/each}}{{if ok}}yes{{/if}}", { name: "<b>", list: ["a", "b"], ok: true }), typeof t.defaults.extname];
exports.expected = () => (["<p>&#60;b&#62;</p><i>0:a</i><i>1:b</i>yes","string"]);
