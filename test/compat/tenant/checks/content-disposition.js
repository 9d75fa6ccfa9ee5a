const cd = require("content-disposition"); exports.check = () => [cd.create("résumé.pdf"), cd.parse('attachment; filename="EURO rates.txt"; filename*=UTF-8\'\'%e2%82%ac%20rates.txt')];
exports.expected = () => (["attachment; filename=\"r?sum?.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",{"type":"attachment","parameters":{"filename":"€ rates.txt","filename*":"UTF-8''%e2%82%ac%20rates.txt"}}]);
