// @pkgjs/parseargs's internal/errors and internal/validators, as Node words them (the package's own say
// "args must be Array got a", and its parse errors are Errors where Node's are TypeErrors): the build puts this
// file in their place (tsup.config.ts, parseArgsInNodeWords).
const { codeError, invalidArgType } = require("../shared/node-errors.cjs");

function ERR_INVALID_ARG_VALUE(name, value, reason) {
  const shown = typeof value === "string" ? "'" + value + "'" : String(value);
  return codeError(TypeError, "The " + (name.indexOf(".") === -1 ? "argument" : "property") + " '" + name + "' " + reason + ". Received " + shown, "ERR_INVALID_ARG_VALUE");
}
function ERR_PARSE_ARGS_INVALID_OPTION_VALUE(message) {
  return codeError(TypeError, message, "ERR_PARSE_ARGS_INVALID_OPTION_VALUE");
}
function ERR_PARSE_ARGS_UNKNOWN_OPTION(option, allowPositionals) {
  const hint = allowPositionals ? ". To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- " + JSON.stringify(option) : "";
  return codeError(TypeError, "Unknown option '" + option + "'" + hint, "ERR_PARSE_ARGS_UNKNOWN_OPTION");
}
function ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL(positional) {
  return codeError(TypeError, "Unexpected argument '" + positional + "'. This command does not take positional arguments", "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL");
}

function validateString(value, name) {
  if (typeof value !== "string") throw invalidArgType(name, "of type string", value);
}
function validateBoolean(value, name) {
  if (typeof value !== "boolean") throw invalidArgType(name, "of type boolean", value);
}
function validateArray(value, name) {
  if (!Array.isArray(value)) throw invalidArgType(name, "an instance of Array", value);
}
function validateStringArray(value, name) {
  validateArray(value, name);
  for (let i = 0; i < value.length; i++) validateString(value[i], name + "[" + i + "]");
}
function validateBooleanArray(value, name) {
  validateArray(value, name);
  for (let i = 0; i < value.length; i++) validateBoolean(value[i], name + "[" + i + "]");
}
function validateUnion(value, name, union) {
  if (!union.includes(value)) throw invalidArgType(name, "('" + union.join("|") + "')", value);
}
function validateObject(value, name) {
  if (value === null || Array.isArray(value) || typeof value !== "object") throw invalidArgType(name, "of type object", value);
}

// `new ERR_X(...)` as the package writes it: a function that returns an object makes `new` give that object.
module.exports = {
  codes: { ERR_INVALID_ARG_TYPE: invalidArgType, ERR_INVALID_ARG_VALUE, ERR_PARSE_ARGS_INVALID_OPTION_VALUE, ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL },
  validateArray, validateObject, validateString, validateStringArray, validateUnion, validateBoolean, validateBooleanArray,
};
