const { Logger } = require("tslog"); exports.check = () => { const logs = []; const l = new Logger({ type: "hidden", name: "app" }); l.attachTransport((o) => logs.push([o._meta.logLevelName, o[0]])); l.info("hello"); l.warn("careful"); l.debug("dbg"); return logs; };
exports.expected = () => ([]);
