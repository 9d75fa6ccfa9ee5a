const { Eta } = require("eta"); exports.check = () => { try { return new Eta().renderString("Hi <%= it.n %>", { n: "<x>" }); } catch (e) { return e.message; } };
exports.expected = () => ("Hi &lt;x&gt;");
