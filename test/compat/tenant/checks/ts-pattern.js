const { match, P } = require("ts-pattern"); exports.check = () => [1, "x", { t: "a", v: 3 }].map((v) => match(v).with(P.number, (n) => "n" + n).with({ t: "a" }, (o) => "a" + o.v).otherwise(() => "other"));
exports.expected = () => (["n1","other","a3"]);
