"use strict";
// Node's util.inspect and format, for util (util/inspection.cjs): a bundle of its own, instantiated only in an
// invocation that formats something. node-inspect-extracted is Node's lib/internal/util/inspect.js; tsup.config.ts
// (DEPENDENCY_PATCHES) adapts it to the realm.
module.exports = require("node-inspect-extracted");
