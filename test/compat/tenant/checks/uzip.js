const UZIP = require("uzip"); exports.check = () => { const zip = UZIP.encode({ "a.txt": new TextEncoder().encode("hi there") }); const files = UZIP.parse(zip); return [Object.keys(files), new TextDecoder().decode(files["a.txt"])]; };
exports.expected = () => ([["a.txt"],"hi there"]);
