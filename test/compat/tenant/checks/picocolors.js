const pc = require("picocolors"); exports.check = () => { const c = pc.createColors(true); return [c.red("x"), c.bold(c.green("y")), pc.isColorSupported, c.bgWhite(c.black("z"))]; };
exports.expected = () => (["\u001b[31mx\u001b[39m","\u001b[1m\u001b[32my\u001b[39m\u001b[22m",false,"\u001b[47m\u001b[30mz\u001b[39m\u001b[49m"]);
