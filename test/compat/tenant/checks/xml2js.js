const xml2js = require("xml2js");
exports.check = () => xml2js.parseStringPromise("<r><i>1</i><i>2</i></r>");
exports.expected = () => ({ r: { i: ["1", "2"] } });
