// The maintained pure-JS Buffer (feross/buffer); its Uint8Arrays are charged like any ArrayBuffer.
module.exports = require("buffer/");
