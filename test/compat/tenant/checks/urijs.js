const URI = require("urijs"); exports.check = () => [URI("http://a.com/x/y?z=1&z=2").directory(), URI("../c").absoluteTo("http://a.com/x/y").toString(), URI("http://a.com/?q=1").addQuery("r", "2").query(true), URI.parse("mailto:a@b.c")];
exports.expected = () => (["/x","http://a.com/c",{"q":"1","r":"2"},{"preventInvalidHostname":false,"protocol":"mailto","urn":true,"path":"a@b.c"}]);
