const log = require("loglevel"); exports.check = () => { const l = log.getLogger("x"); l.setLevel("warn"); return [l.getLevel(), log.levels.WARN, typeof l.info]; };
exports.expected = () => ([3,3,"function"]);
