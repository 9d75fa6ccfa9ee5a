const createDebug = require("debug"); exports.check = () => { const d = createDebug("app:x"); createDebug.enable("app:*"); const out = []; d.log = (...a) => out.push(a.length); d("hello %o", { a: 1 }); createDebug.disable(); return [d.namespace, createDebug.enabled("app:y"), out.length]; };
exports.expected = () => (["app:x",false,1]);
