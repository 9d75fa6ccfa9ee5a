const Polyglot = require("node-polyglot");
exports.check = () => { const p = new Polyglot({ phrases: { hello: "Hello, %{name}.", cars: "%{smart_count} car |||| %{smart_count} cars" }, locale: "en" }); return [p.t("hello", { name: "DeNiro" }), p.t("cars", 1), p.t("cars", 4), p.t("missing", { _: "fallback" })]; };
exports.expected = () => (["Hello, DeNiro.","1 car","4 cars","fallback"]);
