const jws = require("jws");
exports.check = () => { const sig = jws.sign({ header: { alg: "HS256" }, payload: { a: 1 }, secret: "k" }); return [sig, jws.verify(sig, "HS256", "k"), jws.decode(sig).payload]; };
exports.expected = () => (["eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.OGHNXDgUnzgBVCe2z7nm7V9aIzY7ToZsw8H_3ZgS3L0",true,"{\"a\":1}"]);
