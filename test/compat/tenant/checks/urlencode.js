const urlencode = require("urlencode"); exports.check = () => [urlencode.encode("苏千"), urlencode.encode("苏千", "gbk"), urlencode.decode("%CB%D5%C7%A7", "gbk"), urlencode.parse("nick=%CB%D5%C7%A7", { charset: "gbk" })];
exports.expected = () => (["%E8%8B%8F%E5%8D%83","%CB%D5%C7%A7","苏千",{"nick":"苏千"}]);
