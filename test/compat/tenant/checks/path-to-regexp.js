const { match, compile, pathToRegexp } = require("path-to-regexp"); exports.check = () => [match("/u/:id{/:tab}")("/u/5/x"), match("/u/:id")("/v/1"), compile("/u/:id")({ id: "a b" }), pathToRegexp("/a/:b").regexp.source];
exports.expected = () => ([{"path":"/u/5/x","params":{"id":"5","tab":"x"}},false,"/u/a%20b","^(?:\\/a\\/([^\\/]+)(?:\\/$)?)$"]);
