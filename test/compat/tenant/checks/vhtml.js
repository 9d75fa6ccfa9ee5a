const h = require("vhtml"); exports.check = () => h("ul", { class: "x" }, [1, 2].map((i) => h("li", null, "Item " + i)));
exports.expected = () => ("<ul class=\"x\"><li>Item 1</li><li>Item 2</li></ul>");
