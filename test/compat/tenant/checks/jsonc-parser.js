const { parse, modify, applyEdits, findNodeAtLocation, parseTree } = require("jsonc-parser");
exports.check = () => { const text = '{\n  // c\n  "a": 1, "b": [1, 2,],\n}'; const errors = []; const v = parse(text, errors, { allowTrailingComma: true }); const edited = applyEdits(text, modify(text, ["a"], 42, { formattingOptions: { insertSpaces: true, tabSize: 2 } })); return [v, errors.length, edited, findNodeAtLocation(parseTree(text), ["b", 1]).value]; };
exports.expected = () => ([{"a":1,"b":[1,2]},0,"{\n  // c\n  \"a\": 42, \"b\": [1, 2,],\n}",2]);
