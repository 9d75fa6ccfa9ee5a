const { CookieJar, Cookie } = require("tough-cookie");
exports.check = async () => { const jar = new CookieJar(); await jar.setCookie("a=1; Domain=example.com; Path=/", "https://www.example.com/"); await jar.setCookie("b=2; Path=/x", "https://example.com/x/y"); return [await jar.getCookieString("https://example.com/x/z"), Cookie.parse("k=v; HttpOnly").httpOnly]; };
exports.expected = () => (["b=2; a=1",true]);
