// express loads the methods package, which maps over http.METHODS at load (a constant of an unavailable built-in).
const express = require("express");
exports.check = () => new Promise((resolve) => {
  const app = express();
  app.use(express.json());
  app.get("/items/:id", (req, res) => res.status(201).set("x-a", "1").json({ id: req.params.id, q: req.query.q }));
  const headers = {};
  const req = { method: "GET", url: "/items/42?q=z", headers: {}, socket: {}, connection: {} };
  const res = { statusCode: 200, setHeader: (k, v) => { headers[k.toLowerCase()] = v; }, getHeader: (k) => headers[k.toLowerCase()], removeHeader: (k) => { delete headers[k.toLowerCase()]; }, end: (body) => resolve([res.statusCode, headers["x-a"], String(body)]) };
  app.handle(req, res, (err) => resolve(["next", err && err.message]));
});
exports.expected = () => [201, "1", "{\"id\":\"42\",\"q\":\"z\"}"];
