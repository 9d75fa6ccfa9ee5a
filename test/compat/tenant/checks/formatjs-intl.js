const { createIntl, createIntlCache } = require("formatjs-intl");
exports.check = () => { const intl = createIntl({ locale: "fr-FR", messages: { hi: "Bonjour {name}, vous avez {n, plural, one {# message} other {# messages}}" } }, createIntlCache()); return [intl.formatMessage({ id: "hi" }, { name: "Ana", n: 3 }), intl.formatNumber(1234.5, { style: "currency", currency: "EUR" }), intl.formatDate(Date.UTC(2024, 0, 5), { timeZone: "UTC" })]; };
exports.expected = () => (["Bonjour Ana, vous avez 3 messages","1 234,50 €","05/01/2024"]);
