const { parseDocument } = require("htmlparser2"); const render = require("dom-serializer").default; exports.check = () => [render(parseDocument("<div a='1'><br><img src=x></div>")), render(parseDocument("<svg><path/></svg>"), { xmlMode: true })];
exports.expected = () => (["<div a=\"1\"><br><img src=\"x\"></div>","<svg><path/></svg>"]);
