const { transliterate, slugify } = require("transliteration");
exports.check = () => [transliterate("你好，世界"), slugify("Привет мир"), transliterate("Ærøskøbing")];
exports.expected = () => (["Ni Hao,Shi Jie","privet-mir","AEroskobing"]);
