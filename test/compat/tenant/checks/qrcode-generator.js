const qrcode = require("qrcode-generator"); exports.check = () => { const qr = qrcode(0, "M"); qr.addData("https://example.com"); qr.make(); return [qr.getModuleCount(), qr.createDataURL(2).slice(0, 30), qr.isDark(0, 0)]; };
exports.expected = () => ([25,"data:image/gif;base64,R0lGODdh",true]);
