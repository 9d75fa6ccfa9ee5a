const Prism = require("prismjs"); exports.check = () => Prism.highlight("const x = 1; // hi", Prism.languages.javascript, "javascript");
exports.expected = () => ("<span class=\"token keyword\">const</span> x <span class=\"token operator\">=</span> <span class=\"token number\">1</span><span class=\"token punctuation\">;</span> <span class=\"token comment\">// hi</span>");
