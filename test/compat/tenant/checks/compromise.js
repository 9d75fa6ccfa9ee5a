const nlp = require("compromise");
exports.check = () => { const d = nlp("She sells seashells by the seashore. I went to Paris yesterday."); return [d.sentences().length, d.places().out("array"), nlp("I walk to school").sentences().toPastTense().text(), d.nouns().toPlural().out("array").slice(0, 2)]; };
exports.expected = () => ([2,["Paris"],"I walked to school",["She","seashells"]]);
