// path-unified throws an Error named "ERR_INVALID_ARG_TYPE" with no code, ending "Received number":
// Node throws a TypeError with that code, ending "Received type number (1)". Other errors pass through.
const { received } = require("../shared/node-errors.cjs");

module.exports = function nodeArgumentError(error, args) {
  if (error === null || typeof error !== "object" || error.name !== "ERR_INVALID_ARG_TYPE" || "code" in error) return error;
  // Node 22 named basename's second parameter "suffix" (it was "ext").
  const message = String(error.message).replace('The "ext" argument', 'The "suffix" argument');
  const at = message.lastIndexOf(". Received ");
  // The value it names is the first argument of the wrong type.
  const expectsString = message.indexOf("of type string") !== -1;
  let culprit;
  for (const arg of args) {
    if (expectsString ? typeof arg !== "string" : arg === null || typeof arg !== "object") {
      culprit = arg;
      break;
    }
  }
  const reshaped = new TypeError((at === -1 ? message : message.slice(0, at)) + ". Received " + received(culprit));
  reshaped.code = "ERR_INVALID_ARG_TYPE";
  return reshaped;
};
