const { StatusCodes, getReasonPhrase, getStatusCode, ReasonPhrases } = require("http-status-codes"); exports.check = () => [StatusCodes.OK, getReasonPhrase(418), getStatusCode("Not Found"), ReasonPhrases.CONFLICT];
exports.expected = () => ([200,"I'm a teapot",404,"Conflict"]);
