const jwt = require("jwt-simple"); exports.check = () => { const t = jwt.encode({ sub: "u1", n: 1 }, "secret"); return [t, jwt.decode(t, "secret")]; };
exports.expected = () => (["eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsIm4iOjF9.-6o15JW4BZMbIZd705pxAlMaG_9tQia-BHGE3zZ8eCc",{"sub":"u1","n":1}]);
