const Algebrite = require("algebrite"); exports.check = () => [Algebrite.run("x + x"), Algebrite.run("factor(x^2-1)"), Algebrite.run("d(x^3,x)"), Algebrite.run("100!").length];
exports.expected = () => (["2*x","(x-1)*(x+1)","3*x^2",158]);
