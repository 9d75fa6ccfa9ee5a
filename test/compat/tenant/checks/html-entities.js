const { encode, decode } = require("html-entities"); exports.check = () => [encode("< > \" ' & © ∆"), encode("< ©", { mode: "nonAsciiPrintable", level: "html5" }), decode("&lt;&gt;&quot;&amp;&copy;&#8710;&nbsp;&hellip;")];
exports.expected = () => (["&lt; &gt; &quot; &apos; &amp; © ∆","&lt; &copy;","<>\"&©∆ …"]);
