const jsonata = require("jsonata");
exports.check = async () => {
  const order = { items: [{ price: 2, qty: 3, tag: "a" }, { price: 1, qty: 4, tag: "b" }] };
  return [await jsonata("$sum(items.(price * qty))").evaluate(order), await jsonata("items[tag='b'].qty").evaluate(order), await jsonata("$uppercase(items[0].tag)").evaluate(order)];
};
exports.expected = () => ([10, 4, "A"]);
