// The Fetch standard's data classes Node has as globals, without fetch: Headers and FormData. Request and
// Response are not here: without a network they could not be what code expects of them.
module.exports = { Headers: require("./fetch/headers.cjs"), FormData: require("./fetch/form-data.cjs") };
