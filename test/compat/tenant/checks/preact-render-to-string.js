const { h } = require("preact"); const { render } = require("preact-render-to-string");
function Card({ title, items }) { return h("div", { class: "card" }, h("h2", null, title), h("ul", null, items.map((i) => h("li", { key: i }, i)))); }
exports.check = () => render(h(Card, { title: "Order <1>", items: ["mug", "tee"] }));
exports.expected = () => ("<div class=\"card\"><h2>Order &lt;1></h2><ul><li>mug</li><li>tee</li></ul></div>");
