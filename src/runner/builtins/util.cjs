// browserify's util, with Node's own inspect and format (util/inspection.cjs), plus what Node's util has
// that browserify's lacks.
const util = require("util/");
const extended = Object.assign({}, util, require("./util/inspection.cjs"));
extended.TextEncoder = globalThis.TextEncoder;
extended.TextDecoder = globalThis.TextDecoder;
extended.isDeepStrictEqual = function isDeepStrictEqual(a, b) {
  try {
    require("assert").deepStrictEqual(a, b);
    return true;
  } catch (error) {
    if (error && error.code === "ERR_ASSERTION") return false;
    throw error;
  }
};
require("./util/node-additions.cjs")(extended);
module.exports = extended;
