const createHmac = require("create-hmac"); exports.check = () => [createHmac("sha256", "key").update("msg").digest("hex"), createHmac("sha1", Buffer.from("k")).update("m").digest("base64")];
exports.expected = () => (["2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628","dytxyKKZfnaL4B2XEeSk80ok7zM="]);
