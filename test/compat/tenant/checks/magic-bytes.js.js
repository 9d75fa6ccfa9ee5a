const { filetypeinfo, filetypename } = require("magic-bytes.js"); exports.check = () => [filetypename(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), filetypeinfo(Buffer.from("%PDF-1.4")).map((x) => x.typename)];
exports.expected = () => ([["png","apng"],["pdf"]]);
