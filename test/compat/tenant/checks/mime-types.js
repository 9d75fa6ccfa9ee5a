const mime = require("mime-types"); exports.check = () => [mime.lookup("json"), mime.lookup("file.html"), mime.contentType("markdown"), mime.extension("application/octet-stream"), mime.charset("text/plain"), mime.lookup("x.unknownext")];
exports.expected = () => (["application/json","text/html","text/markdown; charset=utf-8","bin","UTF-8",false]);
