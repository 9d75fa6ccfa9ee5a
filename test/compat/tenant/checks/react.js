const React = require("react");
exports.check = () => { const el = React.createElement("a", { href: "/x", key: "k" }, "link"); return [React.isValidElement(el), el.key, el.props, typeof React.useState, React.Children.count([1, [2, 3]])]; };
exports.expected = () => [true, "k", { href: "/x", children: "link" }, "function", 3];
