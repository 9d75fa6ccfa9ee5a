const s = require("underscore.string"); exports.check = () => [s.capitalize("foo Bar"), s.slugify("Un éléphant à l'orée"), s.numberFormat(1000.5, 2), s.levenshtein("kitten", "sitting"), s.words("  I   love   you   "), s.titleize("my name is epeli")];
exports.expected = () => (["Foo Bar","un-elephant-a-l-oree","1,000.50",3,["I","love","you"],"My Name Is Epeli"]);
