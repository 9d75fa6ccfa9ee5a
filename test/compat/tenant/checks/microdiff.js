const diff = require("microdiff"); exports.check = () => (diff.default ?? diff)({ a: 1, b: { c: [1, 2] }, d: "x" }, { a: 2, b: { c: [1] }, e: true });
exports.expected = () => ([{"path":["a"],"type":"CHANGE","value":2,"oldValue":1},{"type":"REMOVE","path":["b","c",1],"oldValue":2},{"type":"REMOVE","path":["d"],"oldValue":"x"},{"type":"CREATE","path":["e"],"value":true}]);
