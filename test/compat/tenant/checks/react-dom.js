// React's server rendering through react-dom/server.edge: the Node build (react-dom/server) makes an
// async_hooks.AsyncLocalStorage at load, which the realm does not have.
const React = require("react");
const server = require("react-dom/server.edge");
function Order({ id, items }) {
  const [currency] = React.useState("EUR");
  return React.createElement("section", { "data-id": id }, React.createElement("h1", null, "Order ", id), React.createElement("ul", null, items.map((i) => React.createElement("li", { key: i.sku }, i.sku, ": ", i.qty, " ", currency))));
}
exports.check = async () => {
  const element = React.createElement(Order, { id: "A-1", items: [{ sku: "mug", qty: 2 }, { sku: "tee", qty: 1 }] });
  const stream = await server.renderToReadableStream(element);
  await stream.allReady;
  return [server.renderToStaticMarkup(element), await new Response(stream).text()];
};
exports.expected = () => [
  '<section data-id="A-1"><h1>Order A-1</h1><ul><li>mug: 2 EUR</li><li>tee: 1 EUR</li></ul></section>',
  '<section data-id="A-1"><h1>Order <!-- -->A-1</h1><ul><li>mug<!-- -->: <!-- -->2<!-- --> <!-- -->EUR</li><li>tee<!-- -->: <!-- -->1<!-- --> <!-- -->EUR</li></ul></section>',
];
