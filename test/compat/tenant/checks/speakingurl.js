const getSlug = require("speakingurl"); exports.check = () => [getSlug("Schöner Titel läßt grüßen!? Bel été !"), getSlug("Äpfel & Birnen", { lang: "de" }), getSlug("Foo & Bar", { separator: "_" })];
exports.expected = () => (["schoener-titel-laesst-gruessen-bel-ete","aepfel-und-birnen","foo_and_bar"]);
