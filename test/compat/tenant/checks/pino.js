const pino = require("pino");
exports.check = function check() {
  const lines = [];
  const log = pino({ base: null, timestamp: false }, { write: (s) => lines.push(s) });
  log.info({ order: 7 }, "hello");
  const child = log.child({ tenant: "acme" });
  child.warn("careful");
  return lines.map((l) => JSON.parse(l));
};
exports.expected = () => [{ level: 30, order: 7, msg: "hello" }, { level: 40, tenant: "acme", msg: "careful" }];
