const slug = require("limax"); exports.check = () => [slug("i ♥ latin"), slug("Ich bin ein Berliner"), slug("我爱官话"), slug("Hello World", { separator: "_" })];
exports.expected = () => (["i-love-latin","ich-bin-ein-berliner","wo3-ai4-guan1-hua4","hello_world"]);
