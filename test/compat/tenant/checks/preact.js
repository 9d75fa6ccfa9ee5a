const { h, Fragment } = require("preact");
exports.check = () => { const v = h(Fragment, null, h("p", { id: "a" }, "x"), h("br")); return [v.props.children.length, v.props.children[0].props, v.props.children[1].type]; };
exports.expected = () => [2, { id: "a", children: "x" }, "br"];
