const diff = require("fast-diff"); exports.check = () => diff("Good dog", "Bad dog");
exports.expected = () => ([[-1,"Goo"],[1,"Ba"],[0,"d dog"]]);
