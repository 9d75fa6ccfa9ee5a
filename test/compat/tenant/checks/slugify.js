const slugify = require("slugify");
exports.check = () => [slugify("Héllo Wörld & Co", { lower: true }), slugify("a_b c", "-")];
exports.expected = () => (["hello-world-and-co", "a_b-c"]);
