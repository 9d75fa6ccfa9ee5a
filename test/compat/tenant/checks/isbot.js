const { isbot, isbotMatch } = require("isbot"); exports.check = () => [isbot("Googlebot/2.1 (+http://www.google.com/bot.html)"), isbot("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"), isbotMatch("curl/8.0")];
exports.expected = () => ([true,false,"curl/8.0"]);
