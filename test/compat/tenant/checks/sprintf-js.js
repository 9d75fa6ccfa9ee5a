const { sprintf, vsprintf } = require("sprintf-js");
exports.check = () => [sprintf("%05.2f|%-5s|%x|%j", 3.14159, "ab", 255, { a: 1 }), vsprintf("%2$s %1$s", ["a", "b"]), sprintf("%(user.name)s", { user: { name: "Z" } })];
exports.expected = () => (["03.14|ab   |ff|{\"a\":1}","b a","Z"]);
