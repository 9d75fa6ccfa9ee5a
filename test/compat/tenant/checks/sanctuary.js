const S = require("sanctuary"); exports.check = () => [S.show(S.map(S.add(1))(S.Just(2))), S.fromMaybe(0)(S.head([])), S.show(S.encase(JSON.parse)("{bad")), S.pipe([S.map(S.mult(2)), S.filter(S.gt(2))])([1, 2, 3])];
exports.expected = () => (["Just (3)",0,"Left (new SyntaxError (\"Expected property name or '}' in JSON at position 1 (line 1 column 2)\"))",[4,6]]);
