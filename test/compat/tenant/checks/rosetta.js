const rosetta = require("rosetta"); exports.check = () => { const i18n = rosetta({ en: { intro: "Welcome, {{username}}!", list: (o) => o.items.join(", ") } }); i18n.locale("en"); return [i18n.t("intro", { username: "bob" }), i18n.t("list", { items: ["a", "b"] }), i18n.t("missing")]; };
exports.expected = () => (["Welcome, bob!","a, b",""]);
