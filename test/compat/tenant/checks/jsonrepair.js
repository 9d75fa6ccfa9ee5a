const { jsonrepair } = require("jsonrepair"); exports.check = () => [jsonrepair("{name: 'John', age: 30, tags: ['a' 'b'],}"), jsonrepair('[1, 2, 3'), jsonrepair("{\"a\": True, \"b\": None}")];
exports.expected = () => (["{\"name\": \"John\", \"age\": 30, \"tags\": [\"a\", \"b\"]}","[1, 2, 3]","{\"a\": true, \"b\": null}"]);
