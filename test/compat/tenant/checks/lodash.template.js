const t = require("lodash.template"); exports.check = () => [t("hi <%= n %> <%- h %><% for (const x of l) { %>[<%= x %>]<% } %>")({ n: "a", h: "<b>", l: [1, 2] }), t("${a}!")({ a: 3 })];
exports.expected = () => (["hi a &lt;b&gt;[1][2]","3!"]);
