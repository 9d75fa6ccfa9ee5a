const forge = require("node-forge");
exports.check = () => {
  const md = forge.md.sha256.create(); md.update("abc");
  const key = forge.random.getBytesSync(16), iv = forge.random.getBytesSync(16);
  const c = forge.cipher.createCipher("AES-CBC", key); c.start({ iv }); c.update(forge.util.createBuffer("secret")); c.finish();
  const d = forge.cipher.createDecipher("AES-CBC", key); d.start({ iv }); d.update(c.output); d.finish();
  const hm = forge.hmac.create(); hm.start("sha256", "key"); hm.update("msg");
  return [md.digest().toHex(), d.output.toString(), hm.digest().toHex(), forge.util.encode64("hi"), forge.pkcs5.pbkdf2("pw", "salt", 100, 16).length];
};
exports.expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","secret","2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628","aGk=",16]);
