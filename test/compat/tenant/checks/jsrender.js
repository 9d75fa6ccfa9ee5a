const jsrender = require("jsrender"); exports.check = () => jsrender.templates("Name: {{:name}} {{for items}}[{{:#data}}]{{/for}}").render({ name: "Jo", items: [1, 2] });
exports.expected = () => ("Name: Jo [1][2]");
