const ini = require("ini");
exports.check = () => { const c = ini.parse("; c\nscope=global\n[database]\nuser=dbuser\nport=5432\n[paths.default]\ndatadir=/var\n"); c.database.user = "root"; return [c, ini.stringify(c, { section: "sec" })]; };
exports.expected = () => ([{"scope":"global","database":{"user":"root","port":"5432"},"paths":{"default":{"datadir":"/var"}}},"[sec]\nscope=global\n\n[sec.database]\nuser=root\nport=5432\n\n[sec.paths.default]\ndatadir=/var\n"]);
