const createError = require("http-errors");
exports.check = function check() {
  const e = createError(404, "no such order");
  const e2 = new createError.BadRequest("bad");
  return { status: e.status, message: e.message, expose: e.expose, name: e2.name, is: e2 instanceof createError.HttpError, stackHead: String(e.stack).split("\n")[0] };
};
exports.expected = () => ({ status: 404, message: "no such order", expose: true, name: "BadRequestError", is: true, stackHead: "NotFoundError: no such order" });
