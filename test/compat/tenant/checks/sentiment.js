const Sentiment = require("sentiment"); exports.check = () => { const r = new Sentiment().analyze("I love cats but hate rain"); return [r.score, r.positive, r.negative]; };
exports.expected = () => ([0,["love"],["hate"]]);
