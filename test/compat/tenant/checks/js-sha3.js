const s = require("js-sha3"); exports.check = () => [s.keccak256("abc"), s.sha3_256(Buffer.from("abc")), s.shake128("abc", 64)];
exports.expected = () => (["4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45","3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532","5881092dd818bf5c"]);
