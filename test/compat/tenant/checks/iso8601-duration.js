const { parse, toSeconds, end } = require("iso8601-duration"); exports.check = () => [parse("P1Y2M3DT4H5M6S"), toSeconds(parse("PT1H30M")), end(parse("P1D"), new Date(0)).toISOString()];
exports.expected = () => ([{"years":1,"months":2,"weeks":0,"days":3,"hours":4,"minutes":5,"seconds":6},5400,"1970-01-02T00:00:00.000Z"]);
