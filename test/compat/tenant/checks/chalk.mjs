import chalk, { Chalk } from "chalk"; export function check() { const c = new Chalk({ level: 1 }); return [c.red.bold("x"), c.bgBlue("y"), chalk.level >= 0, c.hex("#ff0000")("z")]; }
export const expected = () => (["\u001b[31m\u001b[1mx\u001b[22m\u001b[39m","\u001b[44my\u001b[49m",true,"\u001b[91mz\u001b[39m"]);
