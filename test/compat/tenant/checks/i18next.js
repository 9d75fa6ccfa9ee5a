const i18next = require("i18next");
exports.check = async () => {
  const i = i18next.createInstance();
  await i.init({ lng: "de", fallbackLng: "en", resources: { en: { translation: { hi: "Hello {{name}}", item_one: "{{count}} item", item_other: "{{count}} items", only: "en only" } }, de: { translation: { hi: "Hallo {{name}}", item_one: "{{count}} Ding", item_other: "{{count}} Dinge" } } } });
  return [i.t("hi", { name: "Ana" }), i.t("item", { count: 1 }), i.t("item", { count: 5 }), i.t("only"), i.t("missing.key")];
};
exports.expected = () => (["Hallo Ana","1 Ding","5 Dinge","en only","missing.key"]);
