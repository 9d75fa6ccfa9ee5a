// express loads the methods package, which maps over http.METHODS at load (a constant of an unavailable built-in);
// express.json() reads a body through raw-body, which wraps its callback in an async_hooks AsyncResource. (Through
// app.handle a request's prototype becomes http.IncomingMessage's, a placeholder here: the middleware is called itself.)
const express = require("express");
const { Readable } = require("stream");
exports.check = async () => {
  const app = express();
  app.use(express.json());
  app.get("/items/:id", (req, res) => res.status(201).set("x-a", "1").json({ id: req.params.id, q: req.query.q }));
  const got = await new Promise((resolve) => {
    const headers = {};
    const req = { method: "GET", url: "/items/42?q=z", headers: {}, socket: {}, connection: {} };
    const res = { statusCode: 200, setHeader: (k, v) => { headers[k.toLowerCase()] = v; }, getHeader: (k) => headers[k.toLowerCase()], removeHeader: (k) => { delete headers[k.toLowerCase()]; }, end: (body) => resolve([res.statusCode, headers["x-a"], String(body)]) };
    app.handle(req, res, (err) => resolve(["next", err && err.message]));
  });
  const post = Object.assign(Readable.from([Buffer.from('{"a":[1,'), Buffer.from('2]}')]), { method: "POST", url: "/echo", headers: { "content-type": "application/json", "content-length": "11" } });
  const parsed = await new Promise((resolve) => express.json({ limit: "1kb" })(post, {}, (err) => resolve([err ? err.message : null, post.body])));
  return [got, parsed];
};
exports.expected = () => [[201, "1", "{\"id\":\"42\",\"q\":\"z\"}"], [null, { a: [1, 2] }]];
