const ejs = require("ejs");
exports.check = () => ejs.render("<p><%= name %></p><% for (const i of items) { %><%= i %>,<% } %>", { name: "<b>", items: [1, 2] });
exports.expected = () => ("<p>&lt;b&gt;</p>1,2,");
