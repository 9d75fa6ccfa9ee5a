module.exports = require("events/");
