const { table } = require("table"); exports.check = () => table([["0A", "0B"], ["1A", "1B"]]);
exports.expected = () => ("╔════╤════╗\n║ 0A │ 0B ║\n╟────┼────╢\n║ 1A │ 1B ║\n╚════╧════╝\n");
