const CryptoJS = require("crypto-js");
exports.check = () => {
  const ciphertext = CryptoJS.AES.encrypt("secret", "passphrase").toString();
  return [
    CryptoJS.SHA256("abc").toString(),
    CryptoJS.AES.decrypt(ciphertext, "passphrase").toString(CryptoJS.enc.Utf8),
    CryptoJS.HmacSHA256("msg", "key").toString(CryptoJS.enc.Base64),
  ];
};
exports.expected = () => (["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "secret", "LZPLwb4We8sWN6SiPL/wGnh48MUO6DOVTqUiG7G4xig="]);
