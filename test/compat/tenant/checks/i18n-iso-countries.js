// Its Node entry requires every language with require("./langs/" + locale + ".json"): a context require.
const countries = require("i18n-iso-countries");
exports.check = () => [
  countries.getName("DE", "fr"),
  countries.getName("JP", "de"),
  countries.alpha2ToAlpha3("BR"),
  countries.getAlpha2Code("Deutschland", "de"),
  countries.isValid("XX"),
  countries.langs().length > 50,
  countries.getNames("en", { select: "official" }).US,
];
exports.expected = () => ["Allemagne", "Japan", "BRA", "DE", false, true, "United States of America"];
