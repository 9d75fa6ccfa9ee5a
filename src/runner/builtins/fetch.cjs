// The Fetch standard's classes Node has as globals, without fetch: Headers, FormData, Request and Response
// are values code makes and reads (a router's input, a handler's answer); nothing here reaches a network.
module.exports = {
  Headers: require("./fetch/headers.cjs"),
  FormData: require("./fetch/form-data.cjs"),
  Request: require("./fetch/request.cjs"),
  Response: require("./fetch/response.cjs"),
};
