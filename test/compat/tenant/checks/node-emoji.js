const emoji = require("node-emoji"); exports.check = () => [emoji.get("coffee"), emoji.emojify("I :heart: :pizza:!"), emoji.unemojify("I ❤️ 🍕"), emoji.has(":unicorn:"), emoji.which("🍕")];
exports.expected = () => (["☕","I ❤️ 🍕!","I :heart: :pizza:",true,"pizza"]);
