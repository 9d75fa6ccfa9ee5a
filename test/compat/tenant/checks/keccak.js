const createKeccakHash = require("keccak/js"); exports.check = () => [createKeccakHash("keccak256").update("hello").digest("hex"), createKeccakHash("sha3-256").update("").digest("hex")];
exports.expected = () => (["1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8","a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"]);
