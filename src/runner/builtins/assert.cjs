module.exports = require("assert/");
