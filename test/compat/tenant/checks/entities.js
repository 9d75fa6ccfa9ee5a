const { encodeXML, decodeHTML, escapeUTF8, encodeHTML } = require("entities");
exports.check = () => [encodeXML("& © <"), decodeHTML("asdf &amp; &yuml; &uuml; &apos; &#x263A;"), escapeUTF8("<ü>"), encodeHTML("<é>")];
exports.expected = () => (["&amp; &#169; &lt;","asdf & ÿ ü ' ☺","&lt;ü&gt;","&lt;&eacute;&gt;"]);
