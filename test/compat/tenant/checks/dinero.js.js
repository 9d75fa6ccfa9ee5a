const Dinero = require("dinero.js");
exports.check = () => {
  const price = Dinero({ amount: 5000, currency: "USD" });
  return [price.add(Dinero({ amount: 125, currency: "USD" })).toFormat("$0,0.00"), price.allocate([50, 50]).map((d) => d.getAmount()),
    price.percentage(15).getAmount(), price.multiply(1.1).toUnit(), Dinero({ amount: 1234, currency: "EUR" }).setLocale("de-DE").toFormat()];
};
exports.expected = () => (["$51.25",[2500,2500],750,55,"12,34 €"]);
