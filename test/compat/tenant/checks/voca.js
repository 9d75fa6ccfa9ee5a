const v = require("voca"); exports.check = () => [v.camelCase("bird flight"), v.slugify("Café Noir!"), v.truncate("Once upon a time", 7), v.sprintf("%s costs $%.2f", "Tea", 1.5), v.wordWrap("Hello world again", { width: 5 }), v.countWords("hello world, foo")];
exports.expected = () => (["birdFlight","cafe-noir","Once...","Tea costs $1.50","Hello\nworld\nagain",3]);
