// POSIX paths; the realm's cwd is "/".
module.exports = require("path-browserify");
