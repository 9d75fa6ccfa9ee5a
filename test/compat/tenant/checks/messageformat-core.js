const MessageFormat = require("messageformat-core");
exports.check = () => { const mf = new MessageFormat("en"); const msg = mf.compile("{GENDER, select, male{He} female{She} other{They}} found {RES, plural, =0{no results} one{1 result} other{# results}}."); return msg({ GENDER: "female", RES: 3 }); };
exports.expected = () => ("She found 3 results.");
