// node-fetch 2 (the fetch of most CommonJS SDKs): it loads, and its Headers and Response work without a network.
const fetch = require("node-fetch");
exports.check = async () => {
  const headers = new fetch.Headers({ "X-A": "1" });
  const response = new fetch.Response("hi", { status: 201, headers: { "content-type": "text/plain" } });
  return [typeof fetch, headers.get("x-a"), response.status, response.ok, response.headers.get("content-type"), await response.text()];
};
exports.expected = () => ["function", "1", 201, true, "text/plain", "hi"];
