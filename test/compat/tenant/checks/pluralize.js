const p = require("pluralize"); exports.check = () => [p("person"), p.singular("mice"), p("box", 3, true), p.isPlural("sheep")];
exports.expected = () => (["people","mouse","3 boxes",true]);
