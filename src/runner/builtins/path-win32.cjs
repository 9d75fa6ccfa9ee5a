// require("path/win32"): the path module's win32, the same object.
module.exports = require("path").win32;
