const { Base64 } = require("js-base64");
exports.check = () => [Base64.encode("小飼弾"), Base64.encodeURI("小飼弾"), Base64.decode("5bCP6aO85by+"), Base64.isValid("@@"), Base64.fromUint8Array(new Uint8Array([1, 2, 3]))];
exports.expected = () => (["5bCP6aO85by+","5bCP6aO85by-","小飼弾",false,"AQID"]);
