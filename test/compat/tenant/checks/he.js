const he = require("he");
exports.check = () => [he.encode("<ü>"), he.decode("&lt;&eacute;&#x41;")];
exports.expected = () => (["&#x3C;&#xFC;&#x3E;", "<éA"]);
